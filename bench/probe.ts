// Preloaded (--import) into server processes the benchmark starts: answers memory probes
// over the IPC channel, after a full GC when the process runs with --expose-gc, and
// takes CPU profiles of a stretch of time on request. It adds nothing to the server.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

declare const gc: (() => void) | undefined;

let profiler: Session | null = null;

if (process.send) {
  process.on('message', (m: { type?: string; id?: number; gc?: boolean; file?: string }) => {
    if (m?.type === 'profile-start') {
      profiler = new Session();
      profiler.connect();
      profiler.post('Profiler.enable', () => profiler!.post('Profiler.start'));
      return;
    }
    if (m?.type === 'profile-stop' && profiler) {
      const s = profiler;
      s.post('Profiler.stop', (err, r) => {
        if (!err && m.file) writeFileSync(m.file, JSON.stringify(r.profile));
        s.disconnect();
        process.send!({ type: 'profiled', file: m.file });
      });
      profiler = null;
      return;
    }
    if (m?.type !== 'probe') return;
    if (m.gc && typeof gc === 'function') {
      gc();
      gc();
    }
    process.send!({ type: 'probe', id: m.id, memory: process.memoryUsage(), cpu: process.cpuUsage() });
  });
  // The channel must not keep the process alive on shutdown; and a server whose
  // benchmark is gone shuts down rather than linger.
  process.channel?.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
