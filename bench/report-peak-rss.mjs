// Preloaded into benchmarked Node processes (--import): prints the process's own peak RSS at exit.
process.on('exit', () => {
  process.stderr.write(`\n@@peak_rss_kb ${process.resourceUsage().maxRSS}\n`);
});
