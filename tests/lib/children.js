// The helper processes a test starts (pantau, the RTSP and ONVIF test
// servers, nats-server, ...). When the test process ends (a failed test, a
// hook that threw, --test-force-exit) those still running are killed with
// it, never left running beside the tests that follow.
const running = new Set();
process.on('exit', () => {
  for (const proc of running) proc.kill('SIGKILL');
});

// Kills proc (a ChildProcess) when this process exits, unless it ended first.
export function killOnExit(proc) {
  running.add(proc);
  proc.on('exit', () => running.delete(proc));
  return proc;
}
