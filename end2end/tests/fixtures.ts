import AxeBuilder from "@axe-core/playwright";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test as base, expect, type Locator, type Page, type TestInfo } from "@playwright/test";
import { classkeysBinary } from "../global-setup";

export { expect };

/** Tests run against the server that global-setup started. */
export const test = base.extend<{ press: (target: Locator) => Promise<void>; noPolicyViolations: void }>({
  /**
   * Every test fails if its page broke the Content-Security-Policy: the
   * browser then silently drops what was refused (an inline style, a
   * script), so the page looks fine in code and wrong on screen.
   */
  noPolicyViolations: [
    async ({ page }, use) => {
      const violations: string[] = [];
      page.on("console", (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      await use();
      expect(violations, "Content-Security-Policy violations").toEqual([]);
    },
    { auto: true },
  ],
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

/** Waits until the WebAssembly has hydrated the page (`<body data-hydrated>`). */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator("body[data-hydrated]")).toBeAttached();
}

/**
 * Opens a page and waits until it is interactive: the WebAssembly has
 * hydrated it, or (the sign-in page) the server sent it with no
 * WebAssembly to wait for.
 */
export async function open(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await hydrated(page);
}

/**
 * Reloads the page and waits until it is interactive again, as `open`
 * does: typing into a field before the WebAssembly has hydrated it is lost.
 */
export async function reload(page: Page): Promise<void> {
  await page.reload();
  await hydrated(page);
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

/**
 * Signs in and waits until the home page shows and is interactive: the
 * sign-in form is a plain post, so the home page is a new page load.
 */
export async function signedIn(page: Page, press: (t: Locator) => Promise<void>, school: string, username: string, password: string) {
  await signIn(page, press, school, username, password);
  await expect(page.getByRole("heading", { name: /^Welcome, / })).toBeVisible();
  await hydrated(page);
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

export const office = demoStaff.find((s) => s.username === "office")!;

/** A staff member of Oakwood that only this test uses, added on /staff by the office. */
export async function addStaffMember(page: Page, press: (t: Locator) => Promise<void>, testInfo: TestInfo) {
  const suffix = `${testInfo.project.name.slice(0, 1)}${Date.now() % 1000000}`;
  const member = { username: `t${suffix}`, email: `t${suffix}@staff.example`, name: `Tom ${suffix}` };
  await signedIn(page, press, office.school, office.username, office.password);
  await open(page, "/staff");
  await expect(page.getByRole("table")).toBeVisible();
  await press(page.getByRole("button", { name: "Add staff member" }));
  const dialog = page.getByRole("dialog", { name: "Add staff member" });
  await dialog.getByLabel("Username").fill(member.username);
  await dialog.getByLabel("Display name").fill(member.name);
  await dialog.getByLabel("Email").fill(member.email);
  await press(dialog.getByRole("button", { name: "Create account" }));
  await expect(dialog.getByRole("status")).toContainText(`Added ${member.name}`);
  // The form is gone: focus is on what replaced it, not lost to the page.
  await expect(dialog.getByRole("status")).toBeFocused();
  await press(dialog.getByRole("button", { name: "Close" }));
  await expect(page.getByRole("button", { name: "Add staff member" })).toBeFocused();
  await expect(page.getByRole("row").filter({ hasText: member.username })).toBeVisible();
  return member;
}

/** The newest `.eml` in the outbox sent to `to` with `subject`, soft line breaks undone. */
export function findEmail(to: string, subject: string): string | undefined {
  const folder = join(process.env.CLASSKEYS_DATA!, "outbox", "email");
  let names: string[];
  try {
    names = readdirSync(folder).filter((n) => n.endsWith(".eml"));
  } catch {
    return undefined;
  }
  return names
    .map((n) => readFileSync(join(folder, n), "utf8").replace(/=\r?\n/g, "").replace(/=3D/g, "="))
    .find((text) => text.includes(`To: ${to}`) && text.includes(`Subject: ${subject}`));
}

export async function resetLinkIn(to: string, subject: string): Promise<string> {
  await expect.poll(() => findEmail(to, subject), { timeout: 20_000 }).toBeTruthy();
  const email = findEmail(to, subject)!;
  return email.match(/\/(?:reset-password|welcome|parent\/confirm)\/[A-Za-z0-9_-]{43}/)![0];
}

/** WCAG 2.1 A and AA, as the accessibility audit ran axe-core. */
const WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/** axe-core's WCAG 2.1 AA findings on the page as it is now: rule, impact and where. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
  return violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
}
