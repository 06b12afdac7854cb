// A real PostgreSQL server for the tests and the benchmarks of Pulumi's PostgreSQL state backend: Debian's binaries,
// a cluster initialised in a temp directory, listening on a free port of 127.0.0.1 only, run as
// a non-root user (PostgreSQL refuses to run as root), stopped and removed by `stop()`.
// No mock and no fallback: without the binaries the tests that need it fail, naming the package.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/** The database that holds the state tables, and the role that owns it. */
const DATABASE = "pulumi";
const ROLE = "pulumi";
/** The system user that runs the server when the tests run as root (Debian's package makes it). */
const SERVER_USER = "postgres";

/** Debian installs each major version under /usr/lib/postgresql/<major>/bin; the newest wins. */
export function postgresBinDir(): string {
  const root = "/usr/lib/postgresql";
  const majors = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => fs.existsSync(path.join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors.length === 0) {
    throw new Error(
      "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): " +
        "`apt-get install -y postgresql` (.ci/run does that)",
    );
  }
  return path.join(root, majors[0], "bin");
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export class RunningPostgres {
  private constructor(
    private readonly dir: string,
    private readonly server: ChildProcess,
    private readonly exited: Promise<void>,
    readonly port: number,
    private readonly password: string,
  ) {}

  /**
   * Initialises a cluster in a fresh temp directory, starts it on a free port and creates the
   * database. The password is random per server and appears in no output: see `redact`.
   */
  static async start(): Promise<RunningPostgres> {
    const bin = postgresBinDir();
    const user = serverUser();
    // As root, the server user must be able to reach its directory: not under a 0700 home.
    const dir = fs.mkdtempSync(path.join(user ? "/tmp" : os.tmpdir(), "pg-test-"));
    const password = randomBytes(16).toString("hex");
    const data = path.join(dir, "data");
    const pwfile = path.join(dir, "pwfile");
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (user) {
      fs.chownSync(dir, user.uid, user.gid);
      fs.chownSync(pwfile, user.uid, user.gid);
    }
    try {
      await runTool(path.join(bin, "initdb"), user, [
        "--pgdata",
        data,
        "--username",
        ROLE,
        "--pwfile",
        pwfile,
        "--auth",
        "scram-sha-256",
        "--encoding",
        "UTF8",
        "--no-instructions",
        "--no-sync",
      ]);
    } catch (e) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    fs.rmSync(pwfile);
    const port = await freePort();
    // Unix sockets in the cluster's own directory, TCP on loopback only, no fsync: the data is
    // thrown away at the end, and the tests measure Pulumi, not the disk.
    const serverArgs = [
      "-D",
      data,
      "-p",
      String(port),
      "-k",
      dir,
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off",
    ];
    const server = spawn(path.join(bin, "postgres"), serverArgs, {
      ...user,
      cwd: "/",
      stdio: ["ignore", "ignore", "pipe"],
    });
    let log = "";
    server.stderr!.on("data", (d) => (log = (log + d).slice(-4000)));
    const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));
    const pg = new RunningPostgres(dir, server, exited, port, password);
    try {
      await pg.waitUntilReady(() => log);
      await pg.psql("postgres", `CREATE DATABASE ${DATABASE}`);
    } catch (e) {
      await pg.stop();
      throw e; // psql's errors are redacted already
    }
    return pg;
  }

  /**
   * The backend URL of a Pulumi state table of its own (Pulumi creates it on first use). It
   * holds the password: pass it in the environment, never print it (`redact`).
   */
  backendUrl(table: string): string {
    if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`not a plain table name: ${table}`);
    // The test server has no TLS; a real one should use sslmode=verify-full.
    return `postgres://${ROLE}:${this.password}@127.0.0.1:${this.port}/${DATABASE}?sslmode=disable&table=${table}`;
  }

  /** `text` with this server's password replaced by `****`. */
  redact(text: string): string {
    return text.replaceAll(this.password, "****");
  }

  /** Runs SQL in the state database; rows as arrays of columns (psql's unaligned output). */
  async query(sql: string): Promise<string[][]> {
    const out = await this.psql(DATABASE, sql);
    return out
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => line.split("\t"));
  }

  private psql(database: string, sql: string): Promise<string> {
    const args = ["-h", "127.0.0.1", "-p", String(this.port), "-U", ROLE, "-d", database];
    return new Promise((resolve, reject) =>
      execFile(
        path.join(postgresBinDir(), "psql"),
        [...args, "-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
        { env: { ...process.env, PGPASSWORD: this.password } },
        (err, stdout, stderr) =>
          err ? reject(new Error(this.redact(`psql: ${stderr || err.message}`))) : resolve(stdout),
      ),
    );
  }

  private async waitUntilReady(log: () => string): Promise<void> {
    const end = Date.now() + 30_000;
    for (;;) {
      if (this.server.exitCode !== null || this.server.signalCode !== null) {
        throw new Error(`postgres exited at start:\n${log()}`);
      }
      try {
        await this.psql("postgres", "SELECT 1");
        return;
      } catch (e) {
        if (Date.now() > end) {
          throw new Error(`postgres did not start in 30 s: ${e}\n${log()}`, { cause: e });
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Stops the server (fast shutdown: open connections are ended) and removes its directory. */
  async stop(): Promise<void> {
    if (this.server.exitCode === null && this.server.signalCode === null) {
      // SIGINT is PostgreSQL's fast shutdown.
      this.server.kill("SIGINT");
      const killLater = setTimeout(() => this.server.kill("SIGKILL"), 20_000);
      await this.exited;
      clearTimeout(killLater);
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The user to run the server as: none (this process's own) unless this process is root, which
 * PostgreSQL refuses; then the `postgres` system user that Debian's package creates.
 */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = fs
    .readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${SERVER_USER}:`));
  if (!line) {
    throw new Error(
      `no '${SERVER_USER}' user to run PostgreSQL as (Debian's postgresql package creates it)`,
    );
  }
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

function runTool(
  cmd: string,
  user: { uid: number; gid: number } | undefined,
  args: string[],
): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { ...user, cwd: "/" }, (err, stdout, stderr) =>
      err
        ? reject(new Error(`${path.basename(cmd)} failed: ${stderr || err.message}`))
        : resolve(stdout),
    ),
  );
}
