import { defineConfig } from "@playwright/test";

// Debian's Chromium: Playwright's own browser download cannot work here.
const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
};

export default defineConfig({
  testDir: "./tests",
  // Starts the real release binary on a free port over a temporary database.
  globalSetup: "./global-setup.ts",
  workers: 2,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: { launchOptions: chromium, trace: "off" },
  projects: [
    {
      name: "desktop",
      use: { viewport: { width: 1280, height: 800 }, hasTouch: false },
    },
    {
      name: "tablet",
      use: { viewport: { width: 768, height: 1024 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 },
    },
  ],
});
