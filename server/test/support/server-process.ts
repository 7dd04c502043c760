// The real server as a child process (`node --import tsx src/main.ts`), for tests that
// need what only a process has: its own port, signals, a kill in the middle of work.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const serverDir = fileURLToPath(new URL('../..', import.meta.url));
const LISTENING = /GraphQL (http:\/\/[^/\s]+)\/graphql/;

export class ServerProcess {
  output = '';
  url = '';
  readonly proc: ChildProcess;
  readonly exited: Promise<number | null>;

  /** Only PATH is inherited: the test says everything else the server sees. */
  constructor(
    readonly name: string,
    env: Record<string, string>,
  ) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: serverDir,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.proc.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
  }

  /** Resolves with the base URL once the server logs that it listens. */
  async started(ms = 90_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = LISTENING.exec(this.output);
      if (m) return (this.url = m[1]!);
      if (!this.alive) throw new Error(`${this.name} exited ${this.proc.exitCode ?? this.proc.signalCode}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not start within ${ms} ms:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.alive) return;
    this.proc.kill('SIGTERM');
    const timedOut = await Promise.race([this.exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs))]);
    if (timedOut && this.alive) {
      this.proc.kill('SIGKILL');
      await this.exited;
    }
  }
}
