# packaging/install-system.cmake - runs at install time, when the prefix is
# known (cmake --install --prefix P, or CPack's /usr): the systemd unit with
# the executable's path, and the default config. Prefix /usr keeps its
# configuration in /etc (as GNUInstallDirs and core/src/app/default_paths.c
# do), any other prefix in PREFIX/etc. An existing config is kept.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr" OR CMAKE_INSTALL_PREFIX STREQUAL "/")
  set(PANTAU_ETC /etc/pantau)
else()
  set(PANTAU_ETC ${CMAKE_INSTALL_PREFIX}/etc/pantau)
endif()
set(PANTAU_EXE ${CMAKE_INSTALL_PREFIX}/${PANTAU_BINDIR}/pantau)
set(PANTAU_CONFIG ${PANTAU_ETC}/pantau.json)
configure_file(${PANTAU_PACKAGING_DIR}/pantau.service.in ${PANTAU_WORK_DIR}/pantau.service @ONLY)
file(INSTALL ${PANTAU_WORK_DIR}/pantau.service DESTINATION ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
if(EXISTS "$ENV{DESTDIR}${PANTAU_CONFIG}")
  message(STATUS "Keeping: $ENV{DESTDIR}${PANTAU_CONFIG}")
else()
  file(INSTALL ${PANTAU_PACKAGING_DIR}/pantau.json DESTINATION ${PANTAU_ETC})
endif()
