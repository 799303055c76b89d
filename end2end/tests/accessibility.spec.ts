import { accessibilityViolations as violations, expect, open, signedIn, test } from "./fixtures";

test("no page breaks WCAG 2.1 AA by axe-core, signed out or as the owner", async ({ page, press }) => {
  for (const path of ["/login", "/forgot-password", "/parent/signup", "/badge", "/no-such-page"]) {
    await open(page, path);
    expect(await violations(page), path).toEqual([]);
  }

  await signedIn(page, press, "OAK", "admin", "oakwood-owner-1");
  await open(page, "/classes");
  const hazel = await page.getByRole("link", { name: "Year 3 Hazel" }).getAttribute("href");
  for (const path of [
    "/",
    "/classes",
    `${hazel}`,
    `${hazel}/accounts`,
    `${hazel}/cards`,
    "/school/learners",
    "/school/accounts",
    "/school/cards",
    "/school/import",
    "/school/rollover",
    "/staff",
    "/users",
    "/settings",
    "/audit",
    "/account",
  ]) {
    await open(page, path);
    // Pages that load their data show it before they are checked.
    await expect(page.locator("[aria-busy='true'], .loading")).toHaveCount(0);
    expect(await violations(page), path).toEqual([]);
  }

  // A dialog open over a page: the class page's reset dialog.
  await open(page, `${hazel}`);
  await press(page.getByRole("button", { name: "Reset password" }).first());
  await expect(page.getByRole("dialog")).toBeVisible();
  expect(await violations(page), "reset dialog").toEqual([]);
});
