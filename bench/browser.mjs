// Shared by the browser benchmarks: the release server with the demo
// schools on a free port and a temporary data folder, Debian's Chromium,
// and signing in.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(new URL("../end2end/package.json", import.meta.url));
const { chromium } = require("playwright-core");

/** Starts `classkeys serve --demo --learners-per-class N`; resolves to { url, stop }. */
export async function startDemoServer(learnersPerClass) {
  const data = mkdtempSync(join(tmpdir(), "classkeys-bench-"));
  const server = spawn(process.env.CLASSKEYS_BIN, ["serve", "--demo", "--learners-per-class", String(learnersPerClass)], {
    env: { ...process.env, CLASSKEYS_DATA: data, LEPTOS_SITE_ADDR: "127.0.0.1:0", RUST_LOG: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve, reject) => {
    let seen = "";
    server.stdout.on("data", (chunk) => {
      seen += chunk;
      const match = seen.match(/listening on (http:\/\/\S+)/);
      if (match) resolve(match[1]);
    });
    server.on("exit", (code) => reject(new Error(`server exited ${code}`)));
  });
  const stop = () => {
    server.kill("SIGTERM");
    rmSync(data, { recursive: true, force: true });
  };
  return { url, stop };
}

export function launchChromium() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/** Signs in on /login and waits for the home page. */
export async function signIn(page, url, school, username, password) {
  await page.goto(`${url}/login`);
  await page.waitForSelector("body[data-hydrated]");
  await page.getByLabel("School code").fill(school);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: /Welcome/ }).waitFor();
}
