import type { Locator, Page } from "@playwright/test";
import { accessibilityViolations as violations, expect, hydrated, open, signedIn, test } from "./fixtures";

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

test("no page scrolls sideways at 320 px wide (WCAG reflow)", async ({ page, press }) => {
  test.slow();
  const { paths } = await ownerPages(page, press);
  await page.setViewportSize({ width: 320, height: 640 });
  for (const path of paths) {
    await openSettled(page, path);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, path).toBeLessThanOrEqual(320);
  }
  // A wide table with nothing to focus in it scrolls in a box that takes focus.
  await openSettled(page, "/audit");
  const box = page.getByRole("region", { name: "Audit events" });
  await box.focus();
  await expect(box).toBeFocused();
  expect(await violations(page), "/audit at 320 px").toEqual([]);
});

test("'Skip to content' moves focus to the page's content", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "teacher", "oakwood-teacher-1");
  await openSettled(page, "/classes");
  await hydrated(page);
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.locator("main#main")).toBeFocused();
  // The next Tab goes into the page, past the header's links.
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => document.querySelector("main")!.contains(document.activeElement))).toBe(true);
});

test("after the app's own navigation the new page's heading has focus, and Tab goes on from there", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "teacher", "oakwood-teacher-1");
  await openSettled(page, "/classes");
  const classLink = page.locator('main a[href^="/classes/"]').first();
  const className = (await classLink.innerText()).trim();
  await classLink.focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/classes\/[^/]+$/);
  const heading = page.getByRole("heading", { level: 1 });
  await expect(heading).toContainText(className);
  await expect(heading).toBeFocused();
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => document.querySelector("main")!.contains(document.activeElement))).toBe(true);
  // Back, and through the header's links: each time the new page's heading.
  await page.goBack();
  await expect(page.getByRole("heading", { level: 1, name: "Classes" })).toBeFocused();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My account" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toBeFocused();
});

/** WCAG's contrast ratio of two `rgb(r, g, b)` colours. */
function contrast(a: string, b: string): number {
  const luminance = (css: string) => {
    const [r, g, bl] = css.match(/\d+/g)!.slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test("the focus ring stands out 3:1 from the page, the panels and the header", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "teacher", "oakwood-teacher-1");
  await openSettled(page, "/classes");
  const ring = async (target: Locator) => {
    await target.focus();
    return target.evaluate((e) => {
      const background = (el: Element | null): string => {
        for (; el; el = el.parentElement) {
          const colour = getComputedStyle(el).backgroundColor;
          if (colour !== "rgba(0, 0, 0, 0)" && colour !== "transparent") return colour;
        }
        return "rgb(255, 255, 255)";
      };
      return { outline: getComputedStyle(e).outlineColor, behind: background(e.parentElement) };
    });
  };
  // Focus by keyboard, so :focus-visible applies.
  await page.keyboard.press("Tab");
  for (const target of [page.locator("main a[href^='/classes/']").first(), page.locator(".site-header a").first()]) {
    await target.focus();
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Tab");
    const { outline, behind } = await ring(target);
    expect(contrast(outline, behind), `${outline} on ${behind}`).toBeGreaterThanOrEqual(3);
    // Against the grey page too, where the ring falls outside a panel.
    if (!(await target.evaluate((e) => !!e.closest(".site-header")))) {
      expect(contrast(outline, "rgb(243, 244, 246)")).toBeGreaterThanOrEqual(3);
    }
  }
  // "Sign out", on the user menu's white panel inside the dark header.
  const summary = page.locator("details.user-menu summary");
  await summary.focus();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  const signOut = page.getByRole("button", { name: "Sign out" });
  await expect(signOut).toBeFocused();
  const { outline, behind } = await ring(signOut);
  expect(contrast(outline, behind), `${outline} on ${behind}`).toBeGreaterThanOrEqual(3);
});

test("the class reset keeps focus on 'Reset' while it works, and opens at the chosen kind of password", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "teacher", "oakwood-teacher-1");
  await openSettled(page, "/classes");
  await page.getByRole("link", { name: "Year 3 Hazel" }).click();
  await hydrated(page);
  await press(page.getByRole("button", { name: "Reset class passwords" }));
  const dialog = page.getByRole("dialog", { name: "Reset class passwords" });
  await expect(dialog.getByLabel("New password for each learner")).toBeChecked();
  await expect(dialog.getByLabel("New password for each learner")).toBeFocused();
  // Hold the request, to look at the dialog while it works; then let it
  // fail, as a dropped connection would.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/reset_class_passwords*", async (route) => {
    await held;
    await route.abort();
  });
  const reset = dialog.getByRole("button", { name: "Reset", exact: true });
  await reset.focus();
  await page.keyboard.press("Enter");
  await expect(reset).toHaveAttribute("aria-disabled", "true");
  await expect(reset).toBeFocused();
  release();
  await expect(dialog.getByRole("alert")).toBeVisible();
  await expect(reset).toBeFocused();
  await expect(reset).not.toHaveAttribute("aria-disabled", "true");
});

test("the user menu closes on Escape and when focus moves on past it", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "teacher", "oakwood-teacher-1");
  await openSettled(page, "/classes");
  await hydrated(page);
  const menu = page.locator("details.user-menu");
  const summary = menu.locator("summary");
  await summary.focus();
  await page.keyboard.press("Enter");
  await expect(menu).toHaveAttribute("open", "");
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(menu).not.toHaveAttribute("open", "");
  await expect(summary).toBeFocused();

  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Sign out" })).toBeFocused();
  await expect(menu).toHaveAttribute("open", "");
  await page.keyboard.press("Tab");
  await expect(menu).not.toHaveAttribute("open", "");
  expect(await menu.evaluate((m) => m.contains(document.activeElement))).toBe(false);
});
