import { readFileSync } from "node:fs";
import { expect, hydrated, open, signedIn, signOut, test } from "./fixtures";
import type { Page, TestInfo } from "@playwright/test";

/** Each project works on its own class, so the two can run side by side. */
function classFor(testInfo: TestInfo): string {
  return testInfo.project.name === "desktop" ? "Year 5 Willow" : "Year 4 Rowan";
}

async function openClass(page: Page, name: string) {
  await open(page, "/classes");
  await page.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await hydrated(page);
}

async function learnerSignsIn(page: Page, username: string, password: string) {
  const learner = await page.context().browser()!.newContext();
  const tab = await learner.newPage();
  await open(tab, "/login");
  await tab.getByLabel("School code").fill("OAK");
  await tab.getByLabel("Username").fill(username);
  await tab.getByLabel("Password", { exact: true }).fill(password);
  await tab.getByRole("button", { name: "Sign in" }).click();
  await expect(tab.getByRole("heading", { name: /^Welcome, / })).toBeVisible();
  await learner.close();
}

test("a teacher shows a password, generates a new one and resets it", async ({ page, press }, testInfo) => {
  await signedIn(page, press, "OAK", "teacher", "oakwood-teacher-1");
  await openClass(page, "Year 3 Hazel");
  const row = page.locator("tbody tr").nth(testInfo.project.name === "desktop" ? 0 : 1);
  const username = (await row.locator("td").first().textContent())!.trim();

  await press(row.getByRole("button", { name: "Show" }));
  await expect(row.locator(".secret")).toHaveText(/^[a-z]+\d{2}$/);

  await press(row.getByRole("button", { name: "Reset password" }));
  const dialog = page.getByRole("dialog", { name: "Reset password" });
  await expect(dialog).toBeVisible();
  await press(dialog.getByRole("button", { name: "Show current password" }));
  await expect(dialog.getByText(/Current password:/)).toBeVisible();
  // The school's rules are said under the field, and a typed password
  // that breaks one says so as it leaves the field, before any "Reset".
  const field = dialog.getByLabel("New password");
  await expect(field).toHaveAccessibleDescription(/^At least 8 characters.*not the learner's username/);
  await field.fill("abc");
  await field.blur();
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await expect(field).toHaveAccessibleDescription(/at least 8 characters long\.$/);
  await field.fill("");
  await expect(field).not.toHaveAttribute("aria-invalid", "true");
  // Refused: the problem is under the field, tied to it, and focus is there.
  await field.fill("abc");
  await field.press("Enter");
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await expect(field).toHaveAccessibleDescription(/at least 8 characters/);
  await expect(field).toBeFocused();
  await press(dialog.getByRole("button", { name: "Generate new password" }));
  await expect(field).not.toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByLabel("New password")).toHaveValue(/^[a-z]+\d{2}$/);
  const password = await dialog.getByLabel("New password").inputValue();
  await press(dialog.getByRole("button", { name: "Reset", exact: true }));
  await expect(dialog.getByRole("status")).toContainText(`The new password is ${password}`);
  await expect(dialog.getByRole("status")).toBeFocused();
  // Read out to a child: the password is half as large again as the words.
  const size = (locator: import("@playwright/test").Locator) => locator.evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
  const shown = dialog.getByRole("status").getByText(password, { exact: true });
  expect(await size(shown)).toBeGreaterThanOrEqual(1.4 * (await size(dialog.getByRole("status"))));
  // The old password, no longer working, is not left on screen to be read out.
  await expect(dialog.getByText(/Current password:/)).toHaveCount(0);
  await expect(dialog.getByRole("button", { name: "Show current password" })).toHaveCount(0);
  await press(dialog.getByRole("button", { name: "Close" }));
  await expect(dialog).toHaveCount(0);
  // Focus is back on the row's button, though the reset redrew the row.
  await expect(row.getByRole("button", { name: "Reset password" })).toBeFocused();

  // The table shows the new password in place, without a reload.
  await press(row.getByRole("button", { name: "Show" }));
  await expect(row.locator(".secret")).toHaveText(password);
  await learnerSignsIn(page, username, password);
});

test("a regenerated parent access code replaces the old one in the table at once", async ({ page, press }, testInfo) => {
  await signedIn(page, press, "OAK", "teacher", "oakwood-teacher-1");
  await openClass(page, "Year 3 Hazel");
  const row = page.locator("tbody tr").nth(testInfo.project.name === "desktop" ? 20 : 21);
  const before = (await row.locator("td.code").textContent())!.trim();
  await press(row.getByRole("button", { name: "Reset password" }));
  const dialog = page.getByRole("dialog", { name: "Reset password" });
  await press(dialog.getByRole("button", { name: "Regenerate parent access code" }));
  await expect(dialog.getByRole("status")).toContainText("The old code no longer works");
  const code = (await dialog.locator("strong.code").textContent())!.trim();
  expect(code).not.toBe(before);
  await press(dialog.getByRole("button", { name: "Close" }));
  await expect(row.locator("td.code")).toHaveText(code);
});

for (const mode of ["Same password for every learner", "New password for each learner"]) {
  test(`a lead teacher resets a whole class: ${mode}`, async ({ page, press }, testInfo) => {
    await signedIn(page, press, "OAK", "lead", "oakwood-lead-1");
    await openClass(page, classFor(testInfo));
    await press(page.getByRole("button", { name: "Reset class passwords" }));
    const dialog = page.getByRole("dialog", { name: "Reset class passwords" });
    await dialog.getByLabel(mode).check();
    await expect(dialog.locator(".preview")).toContainText(mode.startsWith("Same") ? "the same for everyone" : "their own new password");
    await press(dialog.getByRole("button", { name: "Reset", exact: true }));
    await expect(dialog.getByRole("status").first()).toContainText("28 new passwords");
    // The form and its button are gone: focus moves to what they became.
    await expect(dialog.getByRole("status").first()).toBeFocused();
    const rows = dialog.locator("tbody tr");
    await expect(rows).toHaveCount(28);
    const passwords = await rows.locator("td.secret").allTextContents();
    if (mode.startsWith("Same")) {
      expect(new Set(passwords).size).toBe(1);
      // One password for all is said once, in words.
      await expect(dialog.getByRole("status").first()).toContainText(`the same for everyone: ${passwords[0]}.`);
    } else expect(new Set(passwords).size).toBeGreaterThan(1);
    // "Download CSV" is above the list, in view without scrolling.
    await expect(dialog.getByRole("button", { name: "Download CSV" })).toBeInViewport();
    const username = (await rows.nth(3).locator("td").first().textContent())!.trim();
    await learnerSignsIn(page, username, passwords[3]);
  });
}

test("the class access codes download as the designed CSV", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "teacher", "oakwood-teacher-1");
  await open(page, "/classes");
  await page.getByRole("row", { name: /Year 3 Hazel/ }).getByRole("link", { name: "Access codes" }).click();
  await expect(page.getByRole("heading", { name: "Access codes" })).toBeVisible();
  await hydrated(page);

  await press(page.getByRole("button", { name: "Show access codes" }));
  await expect(page.locator("table.access-codes tbody tr")).toHaveCount(28);
  // A class of up to 100 is one page, to print or search in the page.
  await expect(page.getByRole("navigation", { name: "Access code pages" })).toHaveCount(0);

  const downloading = page.waitForEvent("download");
  await press(page.getByRole("button", { name: "Download CSV" }));
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("OAK-Year 3 Hazel-access-codes.csv");
  const bytes = readFileSync((await download.path())!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = bytes.subarray(3).toString("utf8");
  const lines = text.split("\r\n");
  expect(lines[0]).toBe('"class","first_name","last_name","username","password","parent_access_code"');
  expect(lines).toHaveLength(30); // header, 28 learners, and the empty string after the last CRLF
  expect(lines[29]).toBe("");
  for (const line of lines.slice(1, 29)) {
    expect(line).toMatch(/^"Year 3 Hazel","[^"]+","[^"]+","[a-z0-9]+","([a-z]+\d{2})?","[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}"$/);
  }
  await expect(page.getByRole("status")).toContainText("Saved OAK-Year 3 Hazel-access-codes.csv");
});

test("a lead teacher downloads the whole school's access codes", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "lead", "oakwood-lead-1");
  await open(page, "/school/accounts");
  const downloading = page.waitForEvent("download");
  await press(page.getByRole("button", { name: "Download CSV" }));
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("OAK-all-classes-access-codes.csv");
  const lines = readFileSync((await download.path())!).subarray(3).toString("utf8").split("\r\n");
  expect(lines).toHaveLength(1 + 3 * 28 + 1);
  expect(new Set(lines.slice(1, -1).map((l) => l.split(",")[0]))).toEqual(
    new Set(['"Year 3 Hazel"', '"Year 4 Rowan"', '"Year 5 Willow"']),
  );
});

test("the whole school's access codes show fifty at a time", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "lead", "oakwood-lead-1");
  await open(page, "/school/accounts");
  await hydrated(page);
  await press(page.getByRole("button", { name: "Show access codes" }));
  const rows = page.locator("table.access-codes tbody tr");
  await expect(rows).toHaveCount(50);
  await expect(page.getByText("Learners 1–50 of 84")).toBeVisible();
  const pages = page.getByRole("navigation", { name: "Access code pages" });
  await expect(pages.getByText("Page 1 of 2")).toBeVisible();
  await expect(pages.getByRole("button", { name: "Previous page" })).toBeDisabled();
  const firstOnPageOne = await rows.first().locator("th").textContent();
  await press(pages.getByRole("button", { name: "Next page" }));
  await expect(rows).toHaveCount(34);
  await expect(page.getByText("Learners 51–84 of 84")).toBeVisible();
  await expect(pages.getByRole("button", { name: "Next page" })).toBeDisabled();
  await expect(rows.first().locator("th")).not.toHaveText(firstOnPageOne!);
  await press(pages.getByRole("button", { name: "Previous page" }));
  await expect(rows.first().locator("th")).toHaveText(firstOnPageOne!);
});

test("Download CSV saves the codes the page loaded, without a request first or waiting on the record", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "lead", "oakwood-lead-1");
  const loaded = page.waitForResponse((r) => r.url().includes("/api/reveal_access_codes"));
  await open(page, "/school/accounts");
  expect((await loaded).status()).toBe(200);
  // From here the server cannot hand out the codes again, and the download
  // record is held until the file has been saved.
  await page.route("**/api/reveal_access_codes*", (route) => route.abort());
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/record_access_codes_download*", async (route) => {
    await held;
    await route.continue();
  });
  const recorded = page.waitForResponse((r) => r.url().includes("/api/record_access_codes_download"));
  const downloading = page.waitForEvent("download");
  await press(page.getByRole("button", { name: "Download CSV" }));
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("OAK-all-classes-access-codes.csv");
  await expect(page.getByRole("status")).toContainText("Saved OAK-all-classes-access-codes.csv");
  release();
  expect((await recorded).status()).toBe(200);
  await expect(page.getByRole("alert")).toHaveCount(0);
});

test("a lead teacher searches the student database", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "lead", "oakwood-lead-1");
  await open(page, "/school/learners");
  await expect(page.getByRole("heading", { name: "Student database" })).toBeVisible();
  await expect(page.getByText("Showing 84 of 84 learners")).toBeVisible();
  // Fifty rows a page keeps a whole school quick on a tablet.
  await expect(page.getByText("Page 1 of 2")).toBeVisible();
  await expect(page.getByRole("table").getByRole("row")).toHaveCount(1 + 50);
  await press(page.getByRole("button", { name: "Next page" }));
  await expect(page.getByText("Page 2 of 2")).toBeVisible();
  await expect(page.getByRole("table").getByRole("row")).toHaveCount(1 + 34);
  await page.getByLabel("Search").fill("Year 4");
  await expect(page.getByText("Page 1 of 2")).toHaveCount(0);
  await expect(page.getByText("Showing 28 of 84 learners")).toBeVisible();
  // The school-wide access codes are one press away.
  await press(page.getByRole("link", { name: "Access codes", exact: true }));
  await expect(page).toHaveURL(/\/school\/accounts$/);
  await expect(page.getByRole("button", { name: "Download CSV" })).toBeVisible();
});

test("a teacher is refused the school-wide pages, in the page and on the server", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "teacher", "oakwood-teacher-1");
  for (const path of ["/school/learners", "/school/accounts"]) {
    await open(page, path);
    await expect(page.getByRole("alert")).toHaveText(
      "You do not have permission to open this page. It is for lead teachers, full admins and the school's owner.",
    );
    await expect(page.getByRole("button", { name: "Download CSV" })).toHaveCount(0);
  }
  for (const fn of ["school_learners", "reveal_access_codes"]) {
    const response = await page.request.post(`/api/${fn}`, { headers: { "sec-fetch-site": "same-origin" } });
    expect(response.status()).toBe(403);
  }
});

test("the reset dialog is a modal <dialog>: the page behind is inert, focus stays inside, Escape and a tap outside close it", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "teacher", "oakwood-teacher-1");
  await openClass(page, "Year 3 Hazel");
  const opener = page.locator("tbody tr").nth(2).getByRole("button", { name: "Reset password" });
  await opener.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Reset password" });
  await expect(dialog).toBeVisible();
  // Opened with showModal(): in the top layer, the rest of the page inert.
  expect(await dialog.evaluate((d) => d.matches("dialog:modal"))).toBe(true);
  const focusable = (selector: string) =>
    page.locator(selector).first().evaluate((e: HTMLElement) => { e.focus(); return document.activeElement === e; });
  expect(await focusable("header a[href='/classes']")).toBe(false);
  const focusInDialog = () => dialog.evaluate((d) => d.contains(document.activeElement));
  expect(await focusInDialog()).toBe(true);
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press("Tab");
    expect(await focusInDialog()).toBe(true);
  }
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press("Shift+Tab");
    expect(await focusInDialog()).toBe(true);
  }
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(opener).toBeFocused();
  // A tap on the dimmed page outside the dialog closes it too.
  await press(opener);
  await expect(dialog).toBeVisible();
  await page.mouse.click(5, 5);
  await expect(dialog).toHaveCount(0);
  await expect(opener).toBeFocused();
});

test("a lead teacher adds a class; a teacher is not offered it", async ({ page, press }, testInfo) => {
  await signedIn(page, press, "OAK", "lead", "oakwood-lead-1");
  await open(page, "/classes");
  const name = `Year 6 ${testInfo.project.name} ${Date.now() % 1000000}`;
  await press(page.getByRole("button", { name: "Add class" }));
  const dialog = page.getByRole("dialog", { name: "Add class" });
  // The first label keeps its distance from the dialog's title.
  const head = (await dialog.locator(".modal-head").boundingBox())!;
  const label = (await dialog.locator('label[for="class_name"]').boundingBox())!;
  expect(label.y - (head.y + head.height)).toBeGreaterThanOrEqual(12);
  await dialog.getByLabel("Class name").fill(name);
  await press(dialog.getByRole("button", { name: "Create class" }));
  await expect(page.getByRole("status")).toHaveText(`Added ${name}.`);
  await expect(page.getByRole("row", { name: new RegExp(name) })).toContainText("0");

  // The same name again, in other letters' case, is refused in words.
  await press(page.getByRole("button", { name: "Add class" }));
  await dialog.getByLabel("Class name").fill(name.toUpperCase());
  await press(dialog.getByRole("button", { name: "Create class" }));
  await expect(dialog.getByRole("alert")).toHaveText(`There is already a class called ${name} in this school.`);
  // Focus goes back to the field, which names the problem.
  await expect(dialog.getByLabel("Class name")).toBeFocused();
  await expect(dialog.getByLabel("Class name")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByLabel("Class name")).toHaveAccessibleDescription(/There is already a class called/);
  await press(dialog.getByRole("button", { name: "Close" }));

  await signOut(page, press, "Leo Lead");
  await signedIn(page, press, "OAK", "teacher", "oakwood-teacher-1");
  await open(page, "/classes");
  await expect(page.getByRole("table")).toBeVisible();
  await expect(page.getByRole("button", { name: "Add class" })).toHaveCount(0);
  const response = await page.request.post("/api/create_class", {
    headers: { "sec-fetch-site": "same-origin" },
    form: { name: "Sneaky" },
  });
  expect(response.status()).toBe(403);
});

test("each row's buttons keep their names and are described by the learner's name", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "lead", "oakwood-lead-1");
  await openClass(page, "Year 3 Hazel");
  const row = page.locator("table.learners tbody tr").first();
  const name = (await row.locator('th span[id^="name-"]').textContent())!.trim();
  expect(name.length).toBeGreaterThan(0);
  await expect(row.getByRole("button", { name: "Reset password", exact: true })).toHaveAccessibleDescription(name);
  await expect(row.getByRole("button", { name: "Edit learner", exact: true })).toHaveAccessibleDescription(name);
});

test("a teacher's home page lists her classes, each one tap from its class page", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "teacher", "oakwood-teacher-1");
  const yours = page.getByRole("region", { name: "Your classes" });
  await expect(yours.getByRole("link", { name: /^Year 3 Hazel \d+ learners?$/ })).toBeVisible();
  await expect(yours.getByRole("link", { name: /^Year 4 Rowan \d+ learners?$/ })).toBeVisible();
  // Only her classes: Year 5 Willow is another teacher's.
  await expect(yours.getByRole("link", { name: /Year 5 Willow/ })).toHaveCount(0);
  await press(yours.getByRole("link", { name: /^Year 3 Hazel/ }));
  await expect(page.getByRole("heading", { name: "Year 3 Hazel", level: 1 })).toBeVisible();
});

test("staff who see every class find them under Classes, not on the home page", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "lead", "oakwood-lead-1");
  await expect(page.getByRole("link", { name: "Classes" }).first()).toBeVisible();
  await expect(page.getByRole("region", { name: "Your classes" })).toHaveCount(0);
});
