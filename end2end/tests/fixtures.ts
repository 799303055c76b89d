import { execFileSync } from "node:child_process";
import { test as base, expect, type Locator, type Page } from "@playwright/test";
import { classkeysBinary } from "../global-setup";

export { expect };

/** Tests run against the server that global-setup started. */
export const test = base.extend<{ press: (target: Locator) => Promise<void> }>({
  baseURL: async ({}, use) => {
    await use(process.env.CLASSKEYS_URL);
  },
  /** A tap on the tablet, a click on the desktop. */
  press: async ({ hasTouch }, use) => {
    await use(async (target: Locator) => {
      if (hasTouch) await target.tap();
      else await target.click();
    });
  },
});

/** Opens a page and waits until the WebAssembly has made it interactive. */
export async function open(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await expect(page.locator("body[data-hydrated]")).toBeAttached();
}

export const demoStaff = [
  { school: "OAK", username: "admin", password: "oakwood-owner-1", name: "Olga Owner", role: "Owner" },
  { school: "OAK", username: "office", password: "oakwood-office-1", name: "Olivia Office", role: "Full admin" },
  { school: "OAK", username: "lead", password: "oakwood-lead-1", name: "Leo Lead", role: "Lead teacher" },
  { school: "OAK", username: "teacher", password: "oakwood-teacher-1", name: "Tara Teacher", role: "Teacher" },
  { school: "RIV", username: "admin", password: "riverside-owner-1", name: "Rita Owner", role: "Owner" },
  { school: "RIV", username: "teacher", password: "riverside-teacher-1", name: "Rhys Teacher", role: "Teacher" },
];

export async function signIn(page: Page, press: (t: Locator) => Promise<void>, school: string, username: string, password: string) {
  await open(page, "/login");
  await page.getByLabel("School code").fill(school);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await press(page.getByRole("button", { name: "Sign in" }));
}

/** A school of its own for a test that changes passwords, made with the operator CLI. */
export function createSchool(code: string, ownerEmail: string, ownerPassword: string): void {
  execFileSync(
    classkeysBinary(),
    ["admin", "create-school", "--name", `Test School ${code}`, "--code", code, "--owner-email", ownerEmail, "--owner-name", "Test Owner"],
    { input: `${ownerPassword}\n`, env: { ...process.env, RUST_LOG: "warn" } },
  );
}

/** Signs in and waits until the home page shows. */
export async function signedIn(page: Page, press: (t: Locator) => Promise<void>, school: string, username: string, password: string) {
  await signIn(page, press, school, username, password);
  await expect(page.getByRole("heading", { name: /^Welcome, / })).toBeVisible();
}

/**
 * Signs out through the user menu and waits for the sign-in page. Retried as
 * a whole: the header may re-render (the session is refetched after signing
 * in) between opening the menu and pressing "Sign out".
 */
export async function signOut(page: Page, press: (t: Locator) => Promise<void>, displayName: string) {
  await expect(async () => {
    const button = page.getByRole("button", { name: "Sign out" });
    if (!(await button.isVisible())) await press(page.locator("summary", { hasText: displayName }));
    await press(button);
    await expect(page.getByRole("status")).toHaveText("You have signed out.", { timeout: 3_000 });
  }).toPass({ timeout: 20_000 });
}
