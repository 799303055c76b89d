import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The release binary built by `cargo leptos build --release`. */
export function classkeysBinary(): string {
  if (process.env.CLASSKEYS_BIN) return process.env.CLASSKEYS_BIN;
  const target = process.env.CARGO_TARGET_DIR ?? resolve(__dirname, "../target");
  return join(target, "release", "classkeys");
}

/**
 * Starts `classkeys serve --demo` on port 0 with a fresh data folder, and
 * passes its URL and data folder to the tests through the environment.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const data = mkdtempSync(join(tmpdir(), "classkeys-e2e-"));
  const server = spawn(classkeysBinary(), ["serve", "--demo"], {
    env: {
      ...process.env,
      CLASSKEYS_DATA: data,
      LEPTOS_SITE_ADDR: "127.0.0.1:0",
      // cargo-leptos writes the site into the clone's target/ folder.
      LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? resolve(__dirname, "../target/site"),
      RUST_LOG: "warn",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    let seen = "";
    server.stdout!.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const match = seen.match(/listening on (http:\/\/\S+)/);
      if (match) resolveUrl(match[1]);
    });
    server.on("exit", (code) => reject(new Error(`classkeys exited with ${code} before listening:\n${seen}`)));
    server.on("error", reject);
  });
  process.env.CLASSKEYS_URL = url;
  process.env.CLASSKEYS_DATA = data;
  return async () => {
    const exited = new Promise((done) => server.once("exit", done));
    server.kill("SIGTERM");
    await exited;
    rmSync(data, { recursive: true, force: true });
  };
}
