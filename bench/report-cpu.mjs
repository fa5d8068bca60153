// Preloaded into benchmarked Node processes (--import): prints the CPU time of the whole process (all
// threads: worker threads and libuv's zlib threads included) at exit, so a benchmark on a busy machine
// can report the work done as well as the wall time.
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`\n@@cpu_ms ${Math.round((user + system) / 1000)}\n`);
});
