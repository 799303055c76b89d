import { expect, open, signedIn, test } from "./fixtures";
import type { Page } from "@playwright/test";

/** The WebAssembly files the page fetches from now on. */
function wasmFetched(page: Page): string[] {
  const files: string[] = [];
  page.on("request", (request) => {
    const name = new URL(request.url()).pathname.split("/").pop()!;
    if (name.endsWith(".wasm")) files.push(name);
  });
  return files;
}

test("the sign-in page loads no WebAssembly; a page's own code comes with that page", async ({ page, press }) => {
  const files = wasmFetched(page);
  await open(page, "/login");
  expect(files).toEqual([]);

  // Signed in, the home page loads the main file, which holds a teacher's pages.
  await signedIn(page, press, "OAK", "teacher", "oakwood-teacher-1");
  expect(files.filter((f) => f.startsWith("classkeys."))).toHaveLength(1);
  await open(page, "/classes");
  await page.getByRole("link", { name: "Year 3 Hazel" }).click();
  await expect(page.getByRole("heading", { name: "Year 3 Hazel", level: 1 })).toBeVisible();
  expect(files.filter((f) => !f.startsWith("classkeys."))).toEqual([]);
  // The account pages' code comes when one is opened, and the office's
  // admin pages' code does not come with it.
  await open(page, "/account");
  expect(files.filter((f) => f.startsWith("split_account_"))).toHaveLength(1);
  expect(files.filter((f) => f.startsWith("split_admin_"))).toEqual([]);
});

test("signing in works with scripts off: a refused attempt keeps what was typed, a right one goes home", async ({ browser, baseURL, hasTouch }) => {
  const context = await browser.newContext({ baseURL, javaScriptEnabled: false, hasTouch });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("School code").fill("OAK");
  await page.getByLabel("Username").fill("teacher");
  await page.getByLabel("Password", { exact: true }).fill("not-the-password-9");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("The school code, username or password is not right.");
  await expect(page.getByLabel("School code")).toHaveValue("OAK");
  await expect(page.getByLabel("Username")).toHaveValue("teacher");
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");
  await page.getByLabel("Password", { exact: true }).fill("oakwood-teacher-1");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
  // Signed in: the sign-in page now sends this browser home. (Other pages
  // need their scripts to show; only /login is made to work without.)
  await page.goto("/login");
  await expect(page).toHaveURL(/\/$/);
  await context.close();
});

test("a page opened directly hydrates with its group's chunk and works", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "office", "oakwood-office-1");
  const files = wasmFetched(page);
  await open(page, "/users");
  expect(files.filter((f) => f.startsWith("split_admin_"))).toHaveLength(1);
  await page.getByLabel("Role").selectOption("owner");
  await expect(page.getByRole("row").filter({ hasText: "owner@oakwood.example" })).toHaveCount(1);
  // The other admin pages are in the chunk already loaded: moving on to
  // one fetches no more WebAssembly.
  const before = files.length;
  await page.getByRole("link", { name: "Staff" }).click();
  await expect(page.getByRole("heading", { name: "Staff", level: 1 })).toBeVisible();
  expect(files.slice(before)).toEqual([]);
});
