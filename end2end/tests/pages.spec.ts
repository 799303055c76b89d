import { expect, open, signedIn, signIn, test } from "./fixtures";
import type { Page } from "@playwright/test";

const SCHOOL = "Oakwood Primary";

test("every page's title names the page and the school, in the server's HTML and after hydration", async ({ page, press }) => {
  await open(page, "/login");
  await expect(page).toHaveTitle("Sign in · ClassKeys");
  await open(page, "/forgot-password");
  await expect(page).toHaveTitle("Forgot password? · ClassKeys");

  await signedIn(page, press, "OAK", "admin", "oakwood-owner-1");
  // [path, its name, its name once its data loaded]
  const pages: [string, string, string | null][] = [
    ["/", "Home", null],
    ["/classes", "Classes", null],
    ["/school/learners", "Student database", null],
    ["/school/accounts", "Access codes for the whole school", null],
    ["/account", "My account", null],
    ["/school/cards", "Login cards", "Login cards: All classes"],
    ["/school/import", "Import roster", null],
    ["/school/rollover", "Year-end rollover", null],
    ["/staff", "Staff", null],
    ["/users", "Users", null],
    ["/settings", "School settings", null],
    ["/audit", "Audit log", null],
  ];
  for (const [path, name, loaded] of pages) {
    // The server's HTML already carries it (no script needed to read it).
    const html = await (await page.request.get(path)).text();
    expect(html, path).toContain(`<title>${name} · ${SCHOOL} · ClassKeys</title>`);
    await open(page, path);
    await expect(page, path).toHaveTitle(`${loaded ?? name} · ${SCHOOL} · ClassKeys`);
  }

  // An address that leads nowhere is no page of the school.
  await open(page, "/no-such-page");
  await expect(page).toHaveTitle("Page not found · ClassKeys");

  // A class's pages name the class once it has loaded.
  await open(page, "/classes");
  await page.getByRole("link", { name: "Year 3 Hazel" }).click();
  await expect(page.getByRole("heading", { name: "Year 3 Hazel", level: 1 })).toBeVisible();
  await expect(page).toHaveTitle(`Year 3 Hazel · ${SCHOOL} · ClassKeys`);
  await page.getByRole("link", { name: "Access codes" }).click();
  await expect(page.getByRole("heading", { name: "Access codes", level: 1 })).toBeVisible();
  await expect(page).toHaveTitle(`Access codes: Year 3 Hazel · ${SCHOOL} · ClassKeys`);
  // The page says which class, on screen and on a printout.
  await expect(page.getByRole("heading", { level: 1 }).locator("xpath=following-sibling::p[1]")).toHaveText("Year 3 Hazel");
});

test("a class the user cannot see, and its access codes, are the not-found page at once", async ({ page, press, browser, baseURL }) => {
  // The owner finds the ids of a class the teacher does not teach and of one she does.
  await signedIn(page, press, "OAK", "admin", "oakwood-owner-1");
  await open(page, "/classes");
  const willow = await page.getByRole("link", { name: "Year 5 Willow" }).getAttribute("href");
  const hazel = await page.getByRole("link", { name: "Year 3 Hazel" }).getAttribute("href");

  for (const [school, username, password, path] of [
    ["OAK", "teacher", "oakwood-teacher-1", `${willow}/accounts`],
    ["RIV", "admin", "riverside-owner-1", `${hazel}/accounts`],
    ["OAK", "teacher", "oakwood-teacher-1", `${willow}`],
    ["RIV", "admin", "riverside-owner-1", `${hazel}`],
  ]) {
    const context = await browser.newContext({ baseURL });
    const visitor = await context.newPage();
    await signIn(visitor, (target) => target.click(), school, username, password);
    await expect(visitor.getByRole("heading", { name: /^Welcome, / })).toBeVisible();
    const answer = await visitor.request.get(path);
    expect(answer.status(), `${username}@${school} ${path}`).toBe(404);
    expect(await answer.text()).toContain("Page not found");
    // As a browser shows it, before any script has run.
    await visitor.goto(path);
    await expect(visitor.getByRole("heading", { name: "Page not found" })).toBeVisible();
    await expect(visitor.getByRole("button", { name: "Show access codes" })).toHaveCount(0);
    await expect(visitor.getByRole("button", { name: "Reset class passwords" })).toHaveCount(0);
    await context.close();
  }
});

/** The page at `path` has row actions, each in view, and nothing scrolls sideways. */
async function expectRowActionsInView(page: Page, path: string) {
  const layout = await page.evaluate(() => {
    const scroller = document.querySelector(".table-scroll") ?? document.querySelector("table")!.parentElement!;
    const buttons = [...document.querySelectorAll("tbody td.actions button, tbody td.actions a")].map((b) => {
      const box = b.getBoundingClientRect();
      return { text: b.textContent, left: box.left, right: box.right };
    });
    return {
      scrolls: scroller.scrollWidth > scroller.clientWidth + 1 || document.documentElement.scrollWidth > window.innerWidth + 1,
      width: window.innerWidth,
      buttons,
    };
  });
  expect(layout.scrolls, `${path} scrolls sideways`).toBe(false);
  expect(layout.buttons.length, path).toBeGreaterThan(0);
  for (const button of layout.buttons) {
    expect(button.left, `${path} ${button.text}`).toBeGreaterThanOrEqual(0);
    expect(button.right, `${path} ${button.text}`).toBeLessThanOrEqual(layout.width);
  }
}

test("every row action of the learner tables is in view without scrolling sideways", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "admin", "oakwood-owner-1");
  await open(page, "/classes");
  await press(page.getByRole("link", { name: "Year 3 Hazel" }));
  await expect(page.getByRole("heading", { name: "Year 3 Hazel", level: 1 })).toBeVisible();
  // The navigation shows the section the class page is in, and its user
  // menu shares the brand's line instead of taking one of its own.
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Classes" })).toHaveAttribute("aria-current", "true");
  const brand = (await page.locator(".brand").boundingBox())!;
  const menu = (await page.locator(".user-menu summary").boundingBox())!;
  expect(Math.abs(brand.y + brand.height / 2 - (menu.y + menu.height / 2))).toBeLessThan(8);
  for (const path of [new URL(page.url()).pathname, "/school/learners"]) {
    await open(page, path);
    await expect(page.getByRole("button", { name: "Edit learner" }).first()).toBeVisible();
    await expectRowActionsInView(page, path);
    // The longest names a learner may have (60 letters each, no space to
    // wrap at), and a username, classes and a shown password as long,
    // still leave every action in view.
    await page.evaluate(() => {
      const cells = document.querySelectorAll("table.learners tbody tr:first-child > :not(.actions, .code)");
      const word = (letter: string) => letter.repeat(60);
      cells.forEach((cell, i) => {
        cell.textContent = i === 0 ? `${word("W")} ${word("M")}` : word("w");
      });
    });
    await expectRowActionsInView(page, `${path} with the longest names`);
  }
});

test("the staff and user tables break an email only after its @, a heading only between words, and keep each filter by its label", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "admin", "oakwood-owner-1");
  // Also narrower than the tablet, where "teacher@oakwood.example" must wrap.
  for (const [path, width] of [["/staff", 0], ["/users", 0], ["/staff", 600], ["/users", 600]] as const) {
    if (width) await page.setViewportSize({ width, height: 1000 });
    await open(page, path);
    await expect(page.getByRole("cell", { name: "lead@oakwood.example" })).toBeVisible();
    const broken = await page.evaluate(() =>
      [...document.querySelectorAll("tbody td")]
        .filter((cell) => cell.textContent?.endsWith("@oakwood.example"))
        // Each unbroken run of text takes one line box: a text node whose
        // range has two boxes was broken inside the name or the domain.
        .filter((cell) =>
          [...cell.childNodes].some((node) => {
            if (node.nodeType !== Node.TEXT_NODE || !node.textContent) return false;
            const range = document.createRange();
            range.selectNodeContents(node);
            return [...range.getClientRects()].filter((box) => box.width > 0).length > 1;
          }),
        )
        .map((cell) => cell.textContent),
    );
    expect(broken, `${path} at ${width || "the project's"} px: addresses broken mid-word`).toEqual([]);
    // "Last sign-in" may wrap between its words, never at its hyphen.
    const hyphenated = await page.evaluate(() =>
      [...document.querySelectorAll("thead th")]
        .filter((th) => /sign-(in|on)/.test(th.textContent ?? ""))
        .filter((th) => {
          const range = document.createRange();
          const word = [...th.querySelectorAll("*"), th].flatMap((e) => [...e.childNodes]).find((n) => n.nodeType === Node.TEXT_NODE && /sign-/.test(n.textContent ?? ""))!;
          range.selectNodeContents(word);
          return [...range.getClientRects()].filter((box) => box.width > 0).length > 1;
        })
        .map((th) => th.textContent),
    );
    expect(hyphenated, `${path}: headings broken at a hyphen`).toEqual([]);
  }
  // Each filter's label stays on the line of its control.
  await open(page, "/users");
  for (const name of ["Search", "Role", "Status"]) {
    const label = (await page.locator("label", { hasText: new RegExp(`^${name}$`) }).boundingBox())!;
    const control = (await page.getByLabel(name, { exact: true }).boundingBox())!;
    expect(label.y + label.height / 2, name).toBeGreaterThan(control.y);
    expect(label.y + label.height / 2, name).toBeLessThan(control.y + control.height);
  }
});

test("every row action on /staff and /users is in view without scrolling sideways; dates are short; filters are touch-sized", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "admin", "oakwood-owner-1");
  for (const path of ["/staff", "/users"]) {
    await open(page, path);
    const table = page.locator("table").first();
    await expect(table.locator("tbody tr").first()).toBeVisible();
    await expectRowActionsInView(page, path);
    const tallest = await page.evaluate(() =>
      [...document.querySelectorAll("tbody tr > :not(.actions)")]
        .map((c) => {
          const style = getComputedStyle(c);
          const lines = Math.round((c.getBoundingClientRect().height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom)) / parseFloat(style.lineHeight || "24"));
          return { text: c.textContent, lines };
        })
        .reduce((a, b) => (b.lines > a.lines ? b : a), { text: "", lines: 0 }),
    );
    expect(tallest.lines, `${path}: "${tallest.text}" wraps`).toBeLessThan(4);
  }
  // The owner just signed in: "Today hh:mm", the full time on hover.
  const own = page.getByRole("row").filter({ hasText: "owner@oakwood.example" });
  const when = own.locator("span[title$='UTC']");
  await expect(when).toHaveText(/^Today \d\d:\d\d$/);
  for (const name of ["Role", "Status"]) {
    const box = (await page.getByLabel(name, { exact: true }).boundingBox())!;
    expect(box.height, name).toBeGreaterThanOrEqual(44);
  }
  // At 1280 px the staff table has the page's width: a username, an email
  // or a mobile number is never broken mid-word.
  if ((page.viewportSize()?.width ?? 0) >= 1280) {
    await open(page, "/staff");
    await expect(page.locator("table.staff tbody tr").first()).toBeVisible();
    const broken = await page.evaluate(() =>
      [...document.querySelectorAll("table.staff tbody tr > td:nth-child(2), table.staff tbody tr > td:nth-child(3), table.staff tbody tr > td:nth-child(4)")]
        .filter((c) => {
          const style = getComputedStyle(c);
          return c.getBoundingClientRect().height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom) > parseFloat(style.lineHeight) * 1.5;
        })
        .map((c) => c.textContent),
    );
    expect(broken, "cells broken over two lines").toEqual([]);
  }
});

test("every button that takes something away is amber, like 'Archive class'", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "admin", "oakwood-owner-1");
  await open(page, "/classes");
  await press(page.getByRole("link", { name: "Year 3 Hazel" }));
  const border = (button: import("@playwright/test").Locator) => button.evaluate((e) => getComputedStyle(e).borderTopColor);
  const amber = await border(page.getByRole("button", { name: "Archive class" }));
  const row = page.locator("tbody tr").first();
  expect(await border(row.getByRole("button", { name: "Remove from class" }))).toBe(amber);
  await press(row.getByRole("button", { name: "Reset password" }));
  const dialog = page.getByRole("dialog", { name: "Reset password" });
  for (const name of ["Regenerate parent access code", "Unlink parents"]) {
    expect(await border(dialog.getByRole("button", { name })), name).toBe(amber);
  }
  await press(dialog.getByRole("button", { name: "Close" }));
  await open(page, "/users");
  const lead = page.getByRole("row").filter({ hasText: "lead@oakwood.example" });
  expect(await border(lead.getByRole("button", { name: "Inactivate" }))).toBe(amber);
});

test("on a desktop a roster manager's learner row keeps its buttons and its hidden password on one line, and no width scrolls sideways", async ({ page, press }) => {
  test.skip((page.viewportSize()?.width ?? 0) < 1280, "desktop layout");
  await signedIn(page, press, "OAK", "admin", "oakwood-owner-1");
  await open(page, "/classes");
  await press(page.getByRole("link", { name: "Year 3 Hazel" }));
  const row = page.locator("tbody tr").first();
  await expect(row.getByRole("button", { name: "Remove from class" })).toBeVisible();
  const tops = async (names: string[]) =>
    Promise.all(names.map(async (name) => Math.round((await row.getByRole("button", { name, exact: true }).boundingBox())!.y)));
  const [reset, edit, remove] = await tops(["Reset password", "Edit learner", "Remove from class"]);
  expect([edit, remove]).toEqual([reset, reset]);
  const dots = (await row.locator(".masked").boundingBox())!;
  const show = (await row.getByRole("button", { name: "Show" }).boundingBox())!;
  expect(dots.y + dots.height / 2).toBeGreaterThan(show.y);
  expect(dots.y + dots.height / 2).toBeLessThan(show.y + show.height);
  // A narrower desktop window wraps the buttons rather than scroll sideways.
  for (const width of [1280, 1180, 1110]) {
    await page.setViewportSize({ width, height: 800 });
    const scroll = page.locator(".table-scroll").first();
    expect(await scroll.evaluate((e) => e.scrollWidth - e.clientWidth), `${width} px`).toBeLessThanOrEqual(0);
  }
});

test("an owner's eight header links sit on one line at a tablet's width and on a desktop", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "admin", "oakwood-owner-1");
  const links = page.getByRole("navigation", { name: "Main" }).getByRole("link");
  await expect(links).toHaveCount(8);
  const tops = await links.evaluateAll((all) => all.map((a) => Math.round(a.getBoundingClientRect().top)));
  expect(new Set(tops).size, `link tops: ${tops.join(", ")}`).toBe(1);
  // Still touch-sized, both ways.
  for (const box of await links.evaluateAll((all) => all.map((a) => a.getBoundingClientRect().toJSON()))) {
    expect(box.height).toBeGreaterThanOrEqual(44);
    expect(box.width).toBeGreaterThanOrEqual(44);
  }
});
