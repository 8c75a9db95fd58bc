// The bare node start of section api: an ES module with nothing in it but its first
// IPC message, { up, cpu } (process.cpuUsage() so far, µs); it then lets go of the
// channel and exits by itself.
process.send!({ up: true, cpu: process.cpuUsage() }, () => process.disconnect());
