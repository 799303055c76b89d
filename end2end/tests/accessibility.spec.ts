import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, open, signedIn, test } from "./fixtures";

/** WCAG 2.1 A and AA, as the audit ran axe-core. */
const WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/** axe-core's findings on the page as it is now: rule, impact and where. */
async function violations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
  return violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
}

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
