import type { Locator, Page } from "@playwright/test";
import { accessibilityViolations as violations, expect, open, signedIn, test } from "./fixtures";

/**
 * Every control on the page shorter than 44 px, as "what: height". A
 * checkbox counts by its label (the label is what a finger taps); a link
 * inside a sentence is exempt, as WCAG's target-size rule allows.
 */
async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const small: string[] = [];
    for (const control of document.querySelectorAll("a[href], button, select, summary, textarea, input:not([type=hidden])")) {
      const box = control.getBoundingClientRect();
      // Not drawn, visually hidden (1 px), or off-screen until focused.
      if (box.width <= 1 || box.height <= 1 || box.right <= 0 || box.bottom <= 0) continue;
      const text = (control.textContent || control.getAttribute("aria-label") || control.id).trim().slice(0, 40);
      let target: Element = control;
      if (control instanceof HTMLInputElement && ["checkbox", "radio"].includes(control.type)) {
        const label = control.labels?.[0];
        if (!label) {
          small.push(`${control.type} #${control.id}: no label`);
          continue;
        }
        target = label;
      } else if (control instanceof HTMLAnchorElement && control.parentElement!.textContent!.trim() !== control.textContent!.trim()) {
        continue;
      }
      const height = target.getBoundingClientRect().height;
      if (height < 43.5) small.push(`${control.tagName.toLowerCase()} "${text}": ${height.toFixed(0)} px`);
    }
    return small;
  });
}

const SIGNED_OUT_PAGES = ["/login", "/forgot-password", "/parent/signup", "/badge", "/no-such-page"];

/** Signs in as the owner; every page the owner has, Year 3 Hazel's included. */
async function ownerPages(page: Page, press: (t: Locator) => Promise<void>): Promise<{ hazel: string; paths: string[] }> {
  await signedIn(page, press, "OAK", "admin", "oakwood-owner-1");
  await open(page, "/classes");
  const hazel = (await page.getByRole("link", { name: "Year 3 Hazel" }).getAttribute("href"))!;
  const paths = [
    "/",
    "/classes",
    hazel,
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
  ];
  return { hazel, paths };
}

/** Opens `path` and waits until a page that loads its data shows it. */
async function openSettled(page: Page, path: string) {
  await open(page, path);
  await expect(page.locator("[aria-busy='true'], .loading")).toHaveCount(0);
}

test("no page breaks WCAG 2.1 AA by axe-core, signed out or as the owner", async ({ page, press }) => {
  // Twenty pages, each analysed whole: three times the usual time.
  test.slow();
  for (const path of SIGNED_OUT_PAGES) {
    await open(page, path);
    expect(await violations(page), path).toEqual([]);
  }

  const { hazel, paths } = await ownerPages(page, press);
  for (const path of paths) {
    await openSettled(page, path);
    expect(await violations(page), path).toEqual([]);
  }

  // A dialog open over a page: the class page's reset dialog.
  await open(page, `${hazel}`);
  await press(page.getByRole("button", { name: "Reset password" }).first());
  await expect(page.getByRole("dialog")).toBeVisible();
  expect(await violations(page), "reset dialog").toEqual([]);
});

test("every control is a touch target of at least 44 px on the tablet", async ({ page, press }, testInfo) => {
  // The desktop project has no touch; the same CSS serves both sizes.
  test.skip(testInfo.project.name !== "tablet", "touch targets are a tablet's concern");
  test.slow();
  for (const path of SIGNED_OUT_PAGES) {
    await open(page, path);
    expect(await smallTargets(page), path).toEqual([]);
  }
  const { paths } = await ownerPages(page, press);
  for (const path of paths) {
    await openSettled(page, path);
    expect(await smallTargets(page), path).toEqual([]);
  }
});
