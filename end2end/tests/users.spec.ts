import type { Browser, Locator, Page, TestInfo } from "@playwright/test";
import { addStaffMember, expect, open, reload, signedIn, test } from "./fixtures";

/**
 * A new staff member with a password they keep (no forced change), signed
 * in in a browser of their own; the office stays signed in on `page`.
 */
async function memberSignedInElsewhere(browser: Browser, page: Page, press: (t: Locator) => Promise<void>, testInfo: TestInfo) {
  const member = await addStaffMember(page, press, testInfo);
  // The office sets a password the teacher keeps (no forced change).
  await press(page.getByRole("row").filter({ hasText: member.username }).getByRole("button", { name: "Edit" }));
  const edit = page.getByRole("dialog", { name: "Edit staff member" });
  await edit.getByLabel("New password", { exact: true }).fill("teacher-keeps-7");
  await edit.getByLabel("Must change it at next sign-in").uncheck();
  await press(edit.getByRole("button", { name: "Save" }));
  await expect(edit.getByRole("status")).toHaveText("Saved");
  await expect(edit.getByText("The new password works now, and they are signed out everywhere.", { exact: true })).toBeVisible();
  await press(edit.getByRole("button", { name: "Close" }));

  const { viewport, hasTouch, isMobile } = testInfo.project.use;
  const teacherContext = await browser.newContext({ viewport, hasTouch, isMobile, baseURL: process.env.CLASSKEYS_URL });
  const teacher = await teacherContext.newPage();
  await signedIn(teacher, press, "OAK", member.username, "teacher-keeps-7");
  return { member, teacher, teacherContext };
}

/** The member's row alone on `/users`. */
async function rowOnUsers(page: Page, username: string) {
  await open(page, "/users");
  await page.getByLabel("Search").fill(username);
  // The searched list has replaced the first one (whose row for the member
  // could otherwise take the press and then be swapped out).
  await expect(page.getByRole("status").filter({ hasText: "page 1 of" })).toHaveText(/^1 account · page 1 of 1$/);
  const row = page.getByRole("row").filter({ hasText: username });
  await expect(row).toHaveCount(1);
  return row;
}

test("inactivating a signed-in teacher sends their next page to sign-in", async ({ browser, page, press }, testInfo) => {
  const { member, teacher, teacherContext } = await memberSignedInElsewhere(browser, page, press, testInfo);
  const row = await rowOnUsers(page, member.username);
  await press(row.getByRole("button", { name: "Inactivate" }));
  const confirm = page.getByRole("dialog", { name: "Inactivate account" });
  await expect(confirm).toContainText(member.name);
  // Focus starts on the safe choice.
  await expect(confirm.getByRole("button", { name: "Cancel" })).toBeFocused();
  await press(confirm.getByRole("button", { name: "Inactivate" }));
  await expect(page.getByRole("status").filter({ hasText: "is inactive" })).toBeVisible();
  await expect(row).toContainText("Inactive");
  await expect(row.getByRole("button", { name: "Reactivate" })).toBeVisible();

  await open(teacher, "/classes");
  await expect(teacher).toHaveURL(/\/login/);
  await teacherContext.close();
});

test("Sign out everywhere ends a member's sessions and leaves the account able to sign in", async ({ browser, page, press }, testInfo) => {
  const { member, teacher, teacherContext } = await memberSignedInElsewhere(browser, page, press, testInfo);
  const row = await rowOnUsers(page, member.username);
  await press(row.getByRole("button", { name: "Sign out everywhere" }));
  await expect(page.getByRole("status").filter({ hasText: "signed out everywhere" })).toHaveText(
    `${member.name} (${member.username}) is signed out everywhere: their next page asks them to sign in.`,
  );
  await expect(row.getByRole("cell", { name: "Active", exact: true })).toBeVisible();

  // Their open page finds out on its next load of data, here moving to
  // Classes inside the page: it leaves for sign-in, dropping what it showed.
  await press(teacher.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Classes" }));
  await expect(teacher).toHaveURL(/\/login\?notice=session-ended$/);
  await expect(teacher.getByRole("status")).toHaveText("You were signed out. Please sign in again.");
  await signedIn(teacher, press, "OAK", member.username, "teacher-keeps-7");
  await teacherContext.close();
});

test("an email already used anywhere is refused with a clear message", async ({ page, press }, testInfo) => {
  const member = await addStaffMember(page, press, testInfo);
  await open(page, "/users");
  await page.getByLabel("Search").fill(member.username);
  const row = page.getByRole("row").filter({ hasText: member.username });
  await expect(row).toHaveCount(1);
  await press(row.getByRole("button", { name: "Change email" }));
  const dialog = page.getByRole("dialog", { name: "Change email" });
  await dialog.getByLabel("Email").fill("OWNER@riverside.example");
  await press(dialog.getByRole("button", { name: "Save" }));
  await expect(dialog.getByRole("alert")).toHaveText("This email address is already used by another account.");
  await press(dialog.getByRole("button", { name: "Close" }));
  await expect(row).toContainText(member.email);
});

test("the owner's row has no controls for a full admin, and filters narrow the list", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "office", "oakwood-office-1");
  await open(page, "/users");
  await page.getByLabel("Role").selectOption("owner");
  const rows = page.getByRole("row").filter({ hasText: "owner@oakwood.example" });
  await expect(rows).toHaveCount(1);
  await expect(rows.getByRole("button")).toHaveCount(0);
  await page.getByLabel("Role").selectOption("learner");
  await expect(page.getByRole("status").filter({ hasText: "page 1 of" })).toContainText("84 accounts");
  await press(page.getByRole("button", { name: "Next page" }));
  await expect(page.getByRole("status").filter({ hasText: "page 2 of 2" })).toBeVisible();
  // The buttons went with page 1: focus moves to the new page's summary,
  // not to the top of the document.
  await expect(page.getByRole("status").filter({ hasText: "page 2 of 2" })).toBeFocused();
  // The last page's "Next page" cannot be pressed, and looks it.
  const next = page.getByRole("button", { name: "Next page" });
  const previous = page.getByRole("button", { name: "Previous page" });
  await expect(next).toBeDisabled();
  const background = (button: typeof next) => button.evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(await background(next)).not.toEqual(await background(previous));
  await press(previous);
  await expect(page.getByRole("status").filter({ hasText: "page 1 of 2" })).toBeFocused();
});

test("the filters are kept in the address: a reload shows the same accounts", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "office", "oakwood-office-1");
  await open(page, "/users");
  const summary = page.getByRole("status").filter({ hasText: "page 1 of" });
  const everyone = (await summary.textContent())!;
  await page.getByLabel("Role").selectOption("learner");
  await page.getByLabel("Status").selectOption("active");
  // The active learners fill two pages (so may everyone: wait for the
  // count to change); one learner's username, one.
  await expect(summary).not.toHaveText(everyone);
  await expect(summary).toHaveText(/ · page 1 of 2$/);
  const username = (await page.locator("tbody tr").first().locator("td").first().textContent())!.trim();
  await page.getByLabel("Search").fill(username);
  // The address follows once typing pauses.
  const inAddress = (key: string) => () => new URL(page.url()).searchParams.get(key);
  await expect.poll(inAddress("q")).toBe(username);
  expect(inAddress("role")()).toBe("learner");
  expect(inAddress("status")()).toBe("active");
  await expect(summary).toHaveText(/^\d+ accounts? · page 1 of 1$/);
  const filtered = await summary.textContent();
  await expect(page.getByRole("row").filter({ hasText: username }).first()).toBeVisible();

  await reload(page);
  await expect(page.getByLabel("Role")).toHaveValue("learner");
  await expect(page.getByLabel("Status")).toHaveValue("active");
  await expect(page.getByLabel("Search")).toHaveValue(username);
  await expect(summary).toHaveText(filtered!);

  // Clearing a filter takes it out of the address; a value not in the list
  // reads as "all".
  await page.getByLabel("Search").fill("");
  await expect(page).not.toHaveURL(/q=/);
  await expect(summary).toHaveText(/ · page 1 of 2$/);
  const activeLearners = (await summary.textContent())!;
  // The menu's "Users" is the page without filters, on screen too.
  await press(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }));
  await expect(page).toHaveURL(/\/users$/);
  await expect(page.getByLabel("Role")).toHaveValue("");
  await expect(page.getByLabel("Status")).toHaveValue("");
  await expect(page.getByLabel("Search")).toHaveValue("");
  await expect(summary).not.toHaveText(activeLearners);
  await open(page, "/users?role=janitor");
  await expect(page.getByLabel("Role")).toHaveValue("");
  await expect(summary).toBeVisible();
});

test("the page is kept in the address: a reload stays on it, a new filter starts again at page 1", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "office", "oakwood-office-1");
  await open(page, "/users?role=learner");
  const summary = page.getByRole("status").filter({ hasText: " · page " });
  await expect(summary).toHaveText(/ · page 1 of 2$/);
  await expect(page).not.toHaveURL(/page=/);
  await press(page.getByRole("button", { name: "Next page" }));
  await expect(summary).toHaveText(/ · page 2 of 2$/);
  await expect(page).toHaveURL(/[?&]page=2(&|$)/);
  const secondPage = await page.locator("tbody tr").first().textContent();

  await reload(page);
  await expect(summary).toHaveText(/ · page 2 of 2$/);
  await expect(page.locator("tbody tr").first()).toHaveText(secondPage!);
  await expect(page.getByLabel("Role")).toHaveValue("learner");

  // Page 2 of one list is not a page of another: a filter goes back to
  // page 1, in the address too (in the same change as the filter).
  await page.getByLabel("Status").selectOption("active");
  await expect(summary).toHaveText(/ · page 1 of \d+$/);
  await expect(page).toHaveURL(/status=active/);
  await expect(page).not.toHaveURL(/page=/);
  expect(new URL(page.url()).searchParams.get("role")).toBe("learner");
  // A page number that is not one reads as page 1.
  await open(page, "/users?role=learner&page=first");
  await expect(summary).toHaveText(/ · page 1 of 2$/);
});

test("a teacher cannot open user management", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "teacher", "oakwood-teacher-1");
  await open(page, "/users");
  await expect(page.getByRole("alert")).toContainText("You do not have permission to open this page");
  // The server refuses too, not only the page.
  const headers = { "sec-fetch-site": "same-origin" };
  expect((await page.request.post("/api/possible_duplicates", { headers })).status()).toBe(403);
  const list = await page.request.post("/api/list_users", {
    headers,
    data: { query: { search: "", role: "", status: "", page: 0 } },
  });
  expect(list.status()).toBe(403);
});

test("a learner's row opens the class page's reset dialog", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "office", "oakwood-office-1");
  await open(page, "/users");
  await page.getByLabel("Role").selectOption("learner");
  await expect(page.getByRole("status").filter({ hasText: "page 1 of" })).toContainText("84 accounts");
  const row = page.getByRole("row").filter({ hasText: "Learner" }).first();
  const username = (await row.locator("td").first().textContent())!.trim();
  await press(row.getByRole("button", { name: "Reset password" }));
  const dialog = page.getByRole("dialog", { name: "Reset password" });
  await expect(dialog).toContainText(`(${username})`);
  await expect(dialog.getByRole("button", { name: "Generate new password" })).toBeVisible();
  await press(dialog.getByRole("button", { name: "Close" }));
  await expect(dialog).toHaveCount(0);
});

test("reactivating under the 'Inactive' filter says so where focus was, and an empty list says why", async ({ page, press }, testInfo) => {
  const member = await addStaffMember(page, press, testInfo);
  const row = await rowOnUsers(page, member.username);
  await press(row.getByRole("button", { name: "Inactivate" }));
  const confirm = page.getByRole("dialog", { name: "Inactivate account" });
  await press(confirm.getByRole("button", { name: "Inactivate" }));
  await expect(row).toContainText("Inactive");

  await page.getByLabel("Status").selectOption({ label: "Inactive" });
  await expect(row.getByRole("button", { name: "Reactivate" })).toBeVisible();
  await press(row.getByRole("button", { name: "Reactivate" }));
  // The row left the filtered list with the pressed button: the message
  // takes focus instead of the page's top.
  const notice = page.getByRole("status").filter({ hasText: "can sign in again" });
  await expect(notice).toHaveText(`${member.name} can sign in again.`);
  await expect(row).toHaveCount(0);
  await expect(page.getByText("No accounts match the search and filters.")).toBeVisible();
  await expect(notice).toBeFocused();
});
