# packaging/install.cmake - what `cmake --install` puts where, and the
# Debian packages of `make deb` (CPack). Two components: "server" (package
# pantau: the server, bundled plugins, pages, browser libraries, systemd
# unit, /etc/pantau) and "dev" (package pantau-dev: the plugin SDK, i.e.
# the public header, pantau-plugin.pc and the CMake package Pantau).
# The executable and the header: core/CMakeLists.txt; each bundled plugin:
# pantau_add_plugin() in the top-level CMakeLists.txt.

set(PANTAU_PACKAGING_DIR ${PROJECT_SOURCE_DIR}/packaging)

# ---- server ----

# The pages, with the widget kit plugins' components import
# (/static/js/widget-kit.js, /static/css/widget-kit.css).
install(DIRECTORY web/ DESTINATION ${PANTAU_INSTALL_DATADIR}/web COMPONENT server)
# The browser libraries served under /vendor/ (core/src/net/http_routes.c),
# in the layout of node_modules, with their licences.
foreach(lib gridstack uplot)
  set(dir ${PROJECT_SOURCE_DIR}/node_modules/${lib})
  if(NOT EXISTS ${dir}/dist)
    message(WARNING "node_modules/${lib} is missing (make setup): it will not be installed")
    continue()
  endif()
  install(DIRECTORY ${dir}/dist DESTINATION ${PANTAU_INSTALL_DATADIR}/vendor/${lib} COMPONENT server
    PATTERN angular EXCLUDE PATTERN "*.d.ts" EXCLUDE)
  install(FILES ${dir}/LICENSE ${dir}/package.json DESTINATION ${PANTAU_INSTALL_DATADIR}/vendor/${lib}
    COMPONENT server)
endforeach()
# The demo (config/pantau.json with its slides) and the other examples, to
# copy into /etc/pantau.
install(FILES config/pantau.json DESTINATION ${PANTAU_INSTALL_DATADIR}/examples/demo COMPONENT server)
install(DIRECTORY config/slides DESTINATION ${PANTAU_INSTALL_DATADIR}/examples/demo COMPONENT server)
install(DIRECTORY config/examples/ DESTINATION ${PANTAU_INSTALL_DATADIR}/examples COMPONENT server)
install(FILES LICENSE README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT server)
install(FILES LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME copyright COMPONENT server)
# The systemd unit and /etc/pantau/pantau.json depend on the prefix of the
# install itself, known only then (packaging/install-system.cmake).
install(CODE "set(PANTAU_PACKAGING_DIR \"${PANTAU_PACKAGING_DIR}\")
  set(PANTAU_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
  set(PANTAU_WORK_DIR \"${PROJECT_BINARY_DIR}/packaging\")
  include(\"${PANTAU_PACKAGING_DIR}/install-system.cmake\")" COMPONENT server)

# ---- dev: the plugin SDK ----

file(STRINGS ${PROJECT_SOURCE_DIR}/core/include/pantau/plugin.h abi_lines
  REGEX "^#define PANTAU_ABI_M(AJOR|INOR) [0-9]+")
string(REGEX REPLACE ".*MAJOR ([0-9]+).*" "\\1" PANTAU_ABI_MAJOR "${abi_lines}")
string(REGEX REPLACE ".*MINOR ([0-9]+).*" "\\1" PANTAU_ABI_MINOR "${abi_lines}")
set(PANTAU_ABI_VERSION ${PANTAU_ABI_MAJOR}.${PANTAU_ABI_MINOR})

# Both files find the prefix from where they are, so that the SDK works
# from any prefix (`cmake --install build --prefix P`).
set(PANTAU_PKGCONFIGDIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
set(PANTAU_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/Pantau)
file(RELATIVE_PATH PANTAU_PC_TO_PREFIX /prefix/${PANTAU_PKGCONFIGDIR} /prefix)
file(RELATIVE_PATH PANTAU_CMAKE_TO_PREFIX /prefix/${PANTAU_CMAKEDIR} /prefix)
string(REGEX REPLACE "/$" "" PANTAU_PC_TO_PREFIX "${PANTAU_PC_TO_PREFIX}")
string(REGEX REPLACE "/$" "" PANTAU_CMAKE_TO_PREFIX "${PANTAU_CMAKE_TO_PREFIX}")
configure_file(${PANTAU_PACKAGING_DIR}/pantau-plugin.pc.in packaging/pantau-plugin.pc @ONLY)
configure_file(${PANTAU_PACKAGING_DIR}/PantauConfig.cmake.in packaging/PantauConfig.cmake @ONLY)
include(CMakePackageConfigHelpers)
write_basic_package_version_file(packaging/PantauConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion ARCH_INDEPENDENT)
install(FILES ${PROJECT_BINARY_DIR}/packaging/pantau-plugin.pc DESTINATION ${PANTAU_PKGCONFIGDIR}
  COMPONENT dev)
install(FILES ${PROJECT_BINARY_DIR}/packaging/PantauConfig.cmake
  ${PROJECT_BINARY_DIR}/packaging/PantauConfigVersion.cmake DESTINATION ${PANTAU_CMAKEDIR}
  COMPONENT dev)

# ---- make deb: CPack's DEB generator, one package per component ----

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME pantau)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Pantau maintainers <pantau@localhost>")
set(CPACK_OUTPUT_FILE_PREFIX ${PROJECT_BINARY_DIR}/packages)
# Installed as root would be: prefix /usr, so /etc/pantau and /usr/lib/systemd.
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_SET_DESTDIR ON)
set(CPACK_COMPONENTS_ALL server dev)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION video)
set(CPACK_DEBIAN_SERVER_PACKAGE_NAME pantau)
set(CPACK_DEBIAN_SERVER_PACKAGE_SECTION video)
set(CPACK_DEBIAN_SERVER_DESCRIPTION "command-centre video wall server
Pantau takes in CCTV streams and data feeds through plugins and shows them
on video walls, consoles and presentations in the browser.")
# The libraries pantau and its plugins link come from dpkg-shlibdeps; what
# they load at run time by name does not: libwebsockets' libuv event
# library and the GStreamer elements (x264enc of gst-plugins-ugly, GPL, is
# only recommended: README, "Licences").
set(CPACK_DEBIAN_SERVER_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS "libwebsockets-evlib-uv, gstreamer1.0-plugins-base, \
gstreamer1.0-plugins-good, gstreamer1.0-plugins-bad, gstreamer1.0-libav")
set(CPACK_DEBIAN_SERVER_PACKAGE_RECOMMENDS "gstreamer1.0-plugins-ugly")
file(WRITE ${PROJECT_BINARY_DIR}/packaging/conffiles "/etc/pantau/pantau.json\n")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA ${PROJECT_BINARY_DIR}/packaging/conffiles)
set(CPACK_DEBIAN_DEV_PACKAGE_NAME pantau-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_DEV_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_DEV_DESCRIPTION "plugin SDK of the pantau video wall server
The public plugin header pantau/plugin.h, pkg-config's pantau-plugin and
CMake's find_package(Pantau), to build pantau plugins out of tree.")
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libjansson-dev, pkgconf | pkg-config")
set(CPACK_DEBIAN_DEV_PACKAGE_SUGGESTS "pantau, cmake")
include(CPack)
