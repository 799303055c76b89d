import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { resolve } from "node:path";
import { createSchool, expect, open, signedIn, test } from "./fixtures";
import type { Browser, Locator, Page } from "@playwright/test";

type Press = (target: Locator) => Promise<void>;

/**
 * Single sign-on against a real OpenID Provider on this machine
 * (panva's oidc-provider, end2end/oidc/provider.mjs): an admin sets it up
 * on /settings, a teacher signs in through the provider's own login page,
 * and a stranger is told that no account matches.
 */
let provider: ChildProcess;
let issuer: string;

test.beforeAll(async () => {
  provider = spawn(process.execPath, [resolve(__dirname, "../oidc/provider.mjs")], {
    stdio: ["pipe", "pipe", "ignore"],
  });
  const firstLine = await new Promise<string>((done, fail) => {
    createInterface({ input: provider.stdout! }).once("line", done);
    provider.once("exit", (code) => fail(new Error(`the provider exited with ${code}`)));
  });
  issuer = JSON.parse(firstLine).issuer;
});

test.afterAll(() => {
  provider?.kill();
});

async function control(path: string, body: unknown) {
  const response = await fetch(`${issuer}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status, path).toBe(204);
}

/** Logs in on the provider's own (development) login page as `sub`. */
async function providerLogin(page: Page, sub: string) {
  await expect(page).toHaveURL(new RegExp(`^${issuer}/interaction/`));
  await page.locator('input[name="login"]').fill(sub);
  await page.locator('input[name="password"]').fill("anything");
  await page.locator('button[type="submit"]').click();
}

/** A fresh browser on /login that presses the school's single sign-on button. */
async function signInWithSso(browser: Browser, school: string, sub: string): Promise<Page> {
  const context = await browser.newContext();
  const tab = await context.newPage();
  await open(tab, "/login");
  await tab.getByLabel("School code").fill(school);
  await tab.getByRole("button", { name: "Sign in with single sign-on" }).click();
  await providerLogin(tab, sub);
  return tab;
}

test("an admin sets up single sign-on, a teacher signs in with it, a stranger is refused", async ({ page, press, browser }, testInfo) => {
  const code = `S${testInfo.project.name.slice(0, 1).toUpperCase()}${Date.now() % 1000000}`;
  const domain = `${code.toLowerCase()}.example`;
  const ownerEmail = `owner@${domain}`;
  createSchool(code, ownerEmail, "first-owner-pass-1");
  await signedIn(page, press, "", ownerEmail, "first-owner-pass-1");

  // A teacher whose school email the provider will vouch for.
  await open(page, "/staff");
  await press(page.getByRole("button", { name: "Add staff member" }));
  const dialog = page.getByRole("dialog", { name: "Add staff member" });
  await dialog.getByLabel("Username").fill("tess");
  await dialog.getByLabel("Display name").fill("Tess Teacher");
  await dialog.getByLabel("Email").fill(`tess@${domain}`);
  await press(dialog.getByRole("button", { name: "Create account" }));
  await expect(dialog.getByRole("status")).toContainText("Added Tess Teacher");
  await press(dialog.getByRole("button", { name: "Close" }));

  // /settings: the provider, its client, the school's domain, staff on.
  await open(page, "/settings");
  const section = page.getByRole("region", { name: "Single sign-on" });
  await section.getByLabel("Provider").selectOption({ label: "Other OpenID Connect" });
  await section.getByLabel("Issuer URL").fill(issuer);
  await section.getByLabel("Client ID").fill(`classkeys-${code}`);
  await section.getByLabel("Client secret").fill("e2e-secret-1");
  await section.getByLabel("Allowed email domain").fill(domain);
  await section.getByLabel("Staff may sign in with single sign-on").check();
  await press(section.getByRole("button", { name: "Save single sign-on" }));
  await expect(section.getByRole("status")).toHaveText("Single sign-on saved. Use Test sign-in to try it.");
  await expect(section.getByLabel("Client secret")).toHaveValue("");

  // The admin registers the redirect URL the page shows with the provider.
  const redirectUrl = (await section.locator("code.redirect-url").textContent())!;
  expect(redirectUrl).toBe(`${process.env.CLASSKEYS_URL}/sso/callback`);
  await control("/__test/clients", { client_id: `classkeys-${code}`, client_secret: "e2e-secret-1", redirect_uris: [redirectUrl] });
  await control("/__test/accounts", { sub: `owner-${code}`, claims: { email: ownerEmail, email_verified: true } });
  await control("/__test/accounts", { sub: `tess-${code}`, claims: { email: `tess@${domain}`, email_verified: true, name: "Tess" } });
  await control("/__test/accounts", { sub: `stranger-${code}`, claims: { email: `nobody@${domain}`, email_verified: true } });

  // "Test sign-in" goes through the provider and comes back to /settings.
  await press(page.getByRole("button", { name: "Test sign-in" }));
  await providerLogin(page, `owner-${code}`);
  await expect(page).toHaveURL(/\/settings\?sso=test_ok$/);
  await expect(page.getByRole("status").first()).toHaveText(
    "Single sign-on works: your provider signed you in and its answer checked out.",
  );

  // The teacher: /login, the school code, the button, the provider's page.
  const teacher = await signInWithSso(browser, code, `tess-${code}`);
  await expect(teacher.getByRole("heading", { name: "Welcome, Tess Teacher" })).toBeVisible();
  await teacher.context().close();

  // A stranger with an address in the domain but no account.
  const stranger = await signInWithSso(browser, code, `stranger-${code}`);
  await expect(stranger).toHaveURL(/\/login\?sso=no_account$/);
  await expect(stranger.getByRole("alert")).toHaveText("No ClassKeys account matches this sign-in. Ask your school's admin.");
  await stranger.context().close();

  // /users shows who is linked, and unlinks.
  await open(page, "/users");
  const row = page.getByRole("row").filter({ hasText: "tess" });
  await expect(row.getByRole("cell", { name: "Linked" })).toBeVisible();
  await press(row.getByRole("button", { name: "Unlink single sign-on" }));
  await expect(page.getByRole("status").first()).toHaveText("Tess Teacher is no longer linked to single sign-on.");
});
