import { readFileSync, writeFileSync } from "node:fs";
import { createSchool, expect, hydrated, open, signedIn, test } from "./fixtures";
import type { Locator, Page, TestInfo } from "@playwright/test";

type Press = (target: Locator) => Promise<void>;

/** A new, empty school made with the operator CLI, its owner signed in: day one. */
async function newSchool(page: Page, press: Press, testInfo: TestInfo): Promise<string> {
  const code = `R${testInfo.project.name.slice(0, 1).toUpperCase()}${Date.now() % 1000000}`;
  const email = `owner-${code.toLowerCase()}@school.example`;
  createSchool(code, email, "first-owner-pass-1");
  await signedIn(page, press, "", email, "first-owner-pass-1");
  return code;
}

async function learnerSignsIn(page: Page, school: string, username: string, password: string) {
  const learner = await page.context().browser()!.newContext();
  const tab = await learner.newPage();
  await open(tab, "/login");
  await tab.getByLabel("School code").fill(school);
  await tab.getByLabel("Username").fill(username);
  await tab.getByLabel("Password", { exact: true }).fill(password);
  await tab.getByRole("button", { name: "Sign in" }).click();
  await expect(tab.getByRole("heading", { name: /^Welcome, / })).toBeVisible();
  await learner.close();
}

async function addClass(page: Page, press: Press, name: string) {
  await open(page, "/classes");
  await press(page.getByRole("button", { name: "Add class" }));
  const dialog = page.getByRole("dialog", { name: "Add class" });
  await dialog.getByLabel("Class name").fill(name);
  await press(dialog.getByRole("button", { name: "Create class" }));
  await expect(page.getByRole("status")).toHaveText(`Added ${name}.`);
}

/** A new school with Year 1 (Maya Patel) and Year 2 (empty), for a rollover. */
async function schoolOfYears1And2WithMaya(page: Page, press: Press, testInfo: TestInfo) {
  await newSchool(page, press, testInfo);
  await addClass(page, press, "Year 1");
  await addClass(page, press, "Year 2");
  await addMayaToYear1(page, press);
}

/** On Year 1's class page, adds Maya Patel (maya.p), a password staff set. */
async function addMayaToYear1(page: Page, press: Press) {
  await page.getByRole("link", { name: "Year 1" }).click();
  await hydrated(page);
  await press(page.getByRole("button", { name: "Add learner" }));
  const add = page.getByRole("dialog", { name: "Add learner" });
  await add.getByLabel("First name").fill("Maya");
  await add.getByLabel("Last name").fill("Patel");
  await add.getByLabel("Username").fill("maya.p");
  await press(add.getByRole("button", { name: "Add learner" }));
  await press(add.getByRole("button", { name: "Done" }));
}

test("a new school's owner adds a class and a learner, who signs in at once", async ({ page, press }, testInfo) => {
  const code = await newSchool(page, press, testInfo);
  await addClass(page, press, "Reception Robins");
  await page.getByRole("link", { name: "Reception Robins" }).click();
  await expect(page.getByRole("heading", { name: "Reception Robins", level: 1 })).toBeVisible();
  await hydrated(page);
  // An empty class has no passwords to reset, and says so.
  await press(page.getByRole("button", { name: "Reset class passwords" }));
  const reset = page.getByRole("dialog", { name: "Reset class passwords" });
  await expect(reset).toContainText("Reception Robins has no learners yet: there are no passwords to reset.");
  await expect(reset.getByRole("button", { name: "Reset", exact: true })).toHaveCount(0);
  await press(reset.getByRole("button", { name: "Close" }));

  await press(page.getByRole("button", { name: "Add learner" }));
  const dialog = page.getByRole("dialog", { name: "Add learner" });
  // A tablet's keyboard starts a name with a capital; a username is typed as it is.
  await expect(dialog.getByLabel("First name")).toHaveAttribute("autocapitalize", "words");
  await expect(dialog.getByLabel("Username")).toHaveAttribute("autocapitalize", "none");
  // Enter in "First name" with "Last name" empty: focus goes to the field
  // refused, which reads out its problem.
  await dialog.getByLabel("First name").fill("Zed");
  await dialog.getByLabel("First name").press("Enter");
  await expect(dialog.getByLabel("Last name")).toBeFocused();
  await expect(dialog.getByLabel("Last name")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByLabel("Last name")).toHaveAccessibleDescription("Type a name.");
  await dialog.getByLabel("First name").fill("Ali");
  await dialog.getByLabel("Last name").fill("Khan");
  // A unique suggestion made from the names, which the rules check as it is typed.
  await expect(dialog.getByLabel("Username")).toHaveValue("ali.khan");
  await dialog.getByLabel("Username").fill("ali khan");
  await expect(dialog.getByText(/^A username is 2 to 40 letters/)).toBeVisible();
  await dialog.getByLabel("Username").fill("ali.khan");
  await expect(dialog.getByText(/^A username is 2 to 40 letters/)).toHaveCount(0);
  await press(dialog.getByRole("button", { name: "Add learner" }));
  await expect(dialog.getByRole("status")).toHaveText("Added Ali Khan. Give them these details:");
  const password = (await dialog.locator("dd.secret").textContent())!;
  await expect(dialog.locator("dd.code").nth(1)).toHaveText(/^[A-Z0-9]{3}-[A-Z0-9]{3}-[A-Z0-9]{3}$/);
  // The form is gone; focus waits on the way on.
  await expect(dialog.getByRole("button", { name: "Done" })).toBeFocused();
  await press(dialog.getByRole("button", { name: "Done" }));
  await expect(page.getByRole("row", { name: /Ali Khan/ })).toContainText("ali.khan");
  await learnerSignsIn(page, code, "ali.khan", password);

  // Edit the learner's name, then take them out of the class.
  await press(page.getByRole("row", { name: /Ali Khan/ }).getByRole("button", { name: "Edit learner" }));
  const edit = page.getByRole("dialog", { name: "Edit learner" });
  // The form loads after the dialog opens; its first field then takes focus.
  await expect(edit.getByLabel("First name")).toBeFocused();
  await edit.getByLabel("First name").fill("Alia");
  await press(edit.getByRole("button", { name: "Save learner" }));
  await expect(page.getByRole("row", { name: /Alia Khan/ })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Saved" })).toHaveText("Saved Alia Khan.");
  await press(page.getByRole("row", { name: /Alia Khan/ }).getByRole("button", { name: "Remove from class" }));
  const remove = page.getByRole("dialog", { name: "Remove from class" });
  await press(remove.getByRole("button", { name: "Remove from class" }));
  await expect(page.getByRole("status").filter({ hasText: "Removed" })).toHaveText(
    "Removed Alia Khan from Reception Robins.",
  );
  await expect(page.getByRole("row", { name: /Alia Khan/ })).toHaveCount(0);
});

test("a locked learner is unlocked from the class page, which says so and keeps focus on the row", async ({ page, press }, testInfo) => {
  const code = await newSchool(page, press, testInfo);
  await addClass(page, press, "Year 4 Ash");
  await page.getByRole("link", { name: "Year 4 Ash" }).click();
  await hydrated(page);
  await press(page.getByRole("button", { name: "Add learner" }));
  const add = page.getByRole("dialog", { name: "Add learner" });
  await add.getByLabel("First name").fill("Maya");
  await add.getByLabel("Last name").fill("Patel");
  await add.getByLabel("Username").fill("maya.p");
  await press(add.getByRole("button", { name: "Add learner" }));
  const password = (await add.locator("dd.secret").textContent())!;
  await press(add.getByRole("button", { name: "Done" }));

  // Ten wrong passwords lock Maya out; then the right one is refused too.
  const learner = await page.context().browser()!.newContext();
  const tab = await learner.newPage();
  const attempt = async (typed: string) => {
    await open(tab, "/login");
    await tab.getByLabel("School code").fill(code);
    await tab.getByLabel("Username").fill("maya.p");
    await tab.getByLabel("Password", { exact: true }).fill(typed);
    await Promise.all([
      tab.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/login"),
      tab.getByRole("button", { name: "Sign in" }).click(),
    ]);
  };
  for (let failure = 1; failure <= 10; failure++) await attempt("not-the-password-9");
  await attempt(password);
  await expect(tab.getByRole("alert")).toContainText("This account is locked after too many failed sign-ins.");

  // The class page was open all along: "Show" learns of the lock, says
  // so beside the password and offers "Unlock" on the row.
  const row = page.getByRole("row", { name: /Maya Patel/ });
  await expect(row.getByRole("button", { name: "Unlock" })).toHaveCount(0);
  await press(row.getByRole("button", { name: "Show" }));
  await expect(row.locator(".secret")).toHaveText(password);
  await expect(row.getByRole("alert")).toHaveText("Locked out after too many wrong passwords: press “Unlock” before they sign in.");
  await expect(row.getByRole("button", { name: "Unlock" })).toBeVisible();
  const lockEnd = row.getByText(/^Locked until /);
  await expect(lockEnd).toHaveText(/^Locked until \d\d:\d\d$/);

  // Opened afresh, the page shows the lock and when it ends at once; the
  // teacher lifts it.
  await open(page, new URL(page.url()).pathname);
  await expect(lockEnd).toHaveText(/^Locked until \d\d:\d\d$/);
  await expect(lockEnd).toHaveAttribute("title", /UTC$/);
  await press(row.getByRole("button", { name: "Unlock" }));
  await expect(page.getByRole("status").filter({ hasText: "Unlocked" })).toHaveText("Unlocked Maya Patel. They can sign in again.");
  await expect(row.getByRole("button", { name: "Unlock" })).toHaveCount(0);
  await expect(lockEnd).toHaveCount(0);
  await expect(row.getByRole("button", { name: "Reset password" })).toBeFocused();
  await learner.close();
  await learnerSignsIn(page, code, "maya.p", password);
});

test("a class is renamed, given its teachers, archived and restored", async ({ page, press }, testInfo) => {
  await newSchool(page, press, testInfo);
  await addClass(page, press, "Year 1 Oak");
  await page.getByRole("link", { name: "Year 1 Oak" }).click();
  await hydrated(page);

  await press(page.getByRole("button", { name: "Rename class" }));
  const rename = page.getByRole("dialog", { name: "Rename class" });
  // A refused name puts focus back in the field, which carries the error.
  await rename.getByLabel("Class name").fill("");
  await press(rename.getByRole("button", { name: "Save name" }));
  await expect(rename.getByLabel("Class name")).toBeFocused();
  await expect(rename.getByLabel("Class name")).toHaveAttribute("aria-invalid", "true");
  await rename.getByLabel("Class name").fill("Year 1 Ash");
  await press(rename.getByRole("button", { name: "Save name" }));
  await expect(page.getByRole("heading", { name: "Year 1 Ash", level: 1 })).toBeVisible();

  await press(page.getByRole("button", { name: "Assign teachers" }));
  const assign = page.getByRole("dialog", { name: "Assign teachers" });
  await expect(assign.getByLabel(/Test Owner/)).toBeFocused();
  await assign.getByLabel(/Test Owner/).check();
  await press(assign.getByRole("button", { name: "Save teachers" }));
  await expect(page.getByRole("status").filter({ hasText: "Saved" })).toHaveText("Saved the class's teachers.");

  await press(page.getByRole("button", { name: "Archive class" }));
  const archive = page.getByRole("dialog", { name: "Archive class" });
  await press(archive.getByRole("button", { name: "Archive class" }));
  await expect(page.getByText("This class is archived")).toBeVisible();
  // The "Archive class" button went with the dialog: focus moves to the
  // message that says what happened.
  await expect(page.getByRole("status").filter({ hasText: "Archived Year 1 Ash." })).toBeFocused();

  await open(page, "/classes");
  await expect(page.getByRole("link", { name: "Year 1 Ash" })).toHaveCount(0);
  await page.getByLabel("Show archived").check();
  const row = page.getByRole("row", { name: /Year 1 Ash/ });
  await press(row.getByRole("button", { name: "Restore class" }));
  await expect(page.getByText("No class is archived.")).toBeVisible();
  await page.getByLabel("Show archived").uncheck();
  await expect(page.getByRole("link", { name: "Year 1 Ash" })).toBeVisible();
});

test("an import is previewed, applied with progress, downloaded, and previews as unchanged after", async ({ page, press }, testInfo) => {
  const code = await newSchool(page, press, testInfo);
  const file = testInfo.outputPath("roster.csv");
  writeFileSync(
    file,
    "\ufeffclass;first_name;last_name;username;external_id;email\n" +
      "Year 2 Birch;Seán;Ó Súilleabháin;;S1;\n" +
      "Year 2 Birch;Thị;Nguyễn;thi.nguyen;S2;\n" +
      "Year 3 Cedar;Thị;Nguyễn;thi.nguyen;S2;\n" +
      "Year 3 Cedar;王;Fang;;S3;\n",
  );
  await open(page, "/school/import");
  await expect(page.getByRole("heading", { name: "Import roster", level: 1 })).toBeVisible();
  // The file picker offers what the import reads, tab-separated text too.
  await expect(page.getByLabel("Roster file")).toHaveAttribute("accept", /\.csv,\.tsv,.*\.zip/);
  await page.getByLabel("Roster file").setInputFiles(file);
  await press(page.getByRole("button", { name: "Preview" }));
  // The preview appeared below the button: focus is on its heading.
  await expect(page.getByRole("heading", { name: "Preview", level: 2 })).toBeFocused();
  const table = page.getByRole("table");
  await expect(table.getByRole("row", { name: /Seán Ó Súilleabháin/ })).toContainText("Create");
  await expect(table.getByRole("row")).toHaveCount(5);
  await expect(page.getByText("New classes: Year 2 Birch, Year 3 Cedar.")).toBeVisible();
  await expect(page.getByText("3 learners will get an account: a learner on several lines is counted once.")).toBeVisible();

  await press(page.getByRole("button", { name: "Apply import" }));
  await expect(page.getByRole("status").filter({ hasText: "Import done" })).toHaveText(
    "Import done: 3 learners created, 0 updated, 0 unchanged, 0 inactivated, 2 classes created.",
  );
  // "Apply import" went with the preview: focus is on what it did.
  await expect(page.getByRole("status").filter({ hasText: "Import done" })).toBeFocused();
  await expect(page.getByRole("progressbar", { name: "Import progress" })).toHaveAttribute("aria-valuenow", "100");

  // The new passwords are shown only here: a link away asks first, and
  // staying keeps them.
  const asked: string[] = [];
  page.on("dialog", (dialog) => {
    asked.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Classes" }).click();
  expect(asked).toEqual([
    "confirm: The new learners' passwords and parent access codes are shown only on this page and are not downloaded yet. Leave the page without them?",
  ]);
  await expect(page).toHaveURL(/\/school\/import$/);
  await expect(page.getByRole("button", { name: "Download CSV" })).toBeVisible();

  const downloading = page.waitForEvent("download");
  await press(page.getByRole("button", { name: "Download CSV" }));
  const download = await downloading;
  // Downloaded: leaving no longer asks.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Classes" }).click();
  await expect(page).toHaveURL(/\/classes$/);
  expect(asked).toHaveLength(1);
  expect(download.suggestedFilename()).toBe(`${code}-new accounts-access-codes.csv`);
  const lines = readFileSync((await download.path())!).subarray(3).toString("utf8").trim().split("\r\n");
  expect(lines[0]).toBe('"class","first_name","last_name","username","password","parent_access_code"');
  expect(lines).toHaveLength(5);
  const wang = lines.find((line) => line.includes('"王"'))!.split('","');
  expect(wang[3]).toBe("wang.fang");
  await learnerSignsIn(page, code, "wang.fang", wang[4]);

  // The same file again: nothing to do.
  await open(page, "/school/import");
  await page.getByLabel("Roster file").setInputFiles(file);
  await press(page.getByRole("button", { name: "Preview" }));
  await expect(page.getByRole("table").getByRole("cell", { name: "Unchanged", exact: true })).toHaveCount(4);
  // A line without a username shows the one the learner has, and why nothing changes.
  const sean = page.getByRole("table").getByRole("row", { name: /Seán Ó Súilleabháin/ });
  await expect(sean.getByRole("cell").nth(1)).toHaveText(/^[a-z][a-z0-9.]+$/);
  await expect(sean.getByRole("cell").nth(4)).toHaveText("Already up to date.");
  await expect(page.getByRole("button", { name: "Apply import" })).toBeDisabled();
  await expect(page.getByText("Nothing to change: the school already matches the file.")).toBeVisible();

  // A file of one learner, inactivating the rest: the totals count them,
  // the page says what applying does, and "Apply import" comes before the
  // (possibly long) list of who.
  const one = testInfo.outputPath("one.csv");
  writeFileSync(one, "class,first_name,last_name,username,external_id,email\nYear 3 Cedar,王,Fang,,S3,\n");
  await page.getByLabel("Roster file").setInputFiles(one);
  await page.getByLabel("Inactivate learners who are not in the file").check();
  await press(page.getByRole("button", { name: "Preview" }));
  await expect(page.getByRole("status").filter({ hasText: "one.csv" })).toHaveText(
    "one.csv (CSV, UTF-8): 0 to create, 0 to update, 1 unchanged, 0 with errors, 2 to inactivate.",
  );
  await expect(page.getByText(/^Applying inactivates 2 learners who are not in the file/)).toBeVisible();
  const applyBox = (await page.getByRole("button", { name: "Apply import" }).boundingBox())!;
  const listBox = (await page.getByRole("heading", { name: "Learners who would be inactivated" }).boundingBox())!;
  expect(applyBox.y).toBeLessThan(listBox.y);
});

test("a file's lines with errors are listed first, named, and block the import", async ({ page, press }, testInfo) => {
  await newSchool(page, press, testInfo);
  const file = testInfo.outputPath("roster.tsv");
  // Tab-separated, with the name columns as a school system exports them.
  writeFileSync(file, "Class\tForename\tSurname\n7A\tAnn\tLee\n7A\tBob\tRay\n7A\t\tKhan\n");
  await open(page, "/school/import");
  await page.getByLabel("Roster file").setInputFiles(file);
  await press(page.getByRole("button", { name: "Preview" }));
  await expect(page.getByRole("status").filter({ hasText: "roster.tsv" })).toHaveText(
    "roster.tsv (CSV, UTF-8): 2 to create, 0 to update, 0 unchanged, 1 with errors.",
  );
  const rows = page.getByRole("table").getByRole("row");
  await expect(rows).toHaveCount(4);
  await expect(rows.nth(1).getByRole("cell").first()).toHaveText("4");
  await expect(rows.nth(1)).toContainText("Error");
  await expect(rows.nth(2).getByRole("cell").first()).toHaveText("2");
  await expect(page.getByText(/^Lines with errors block the import/)).toBeVisible();
  // Nobody gets an account while the errors block the import.
  await expect(page.getByText("Nothing is imported until the lines with errors are fixed; the other lines would give 2 learners an account.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Apply import" })).toBeDisabled();
});

test("a file the preview refuses is said under 'Roster file', which takes focus", async ({ page, press }, testInfo) => {
  await newSchool(page, press, testInfo);
  const bad = testInfo.outputPath("bad.csv");
  writeFileSync(bad, "class,first_name,last_name,shoe_size\n7A,Ann,Lee,4\n");
  await open(page, "/school/import");
  const file = page.getByLabel("Roster file");
  await file.setInputFiles(bad);
  await press(page.getByRole("button", { name: "Preview" }));
  const message = /^Unknown column "shoe_size" in the header\./;
  await expect(page.getByRole("alert")).toHaveText(message);
  await expect(file).toBeFocused();
  await expect(file).toHaveAttribute("aria-invalid", "true");
  await expect(file).toHaveAccessibleDescription(/up to 5 MB\. Unknown column "shoe_size" in the header\./);
  // Another file withdraws the refusal with the preview.
  const good = testInfo.outputPath("good.csv");
  writeFileSync(good, "class,first_name,last_name\n7A,Ann,Lee\n");
  await file.setInputFiles(good);
  await expect(page.getByRole("alert")).toHaveCount(0);
  await expect(file).not.toHaveAttribute("aria-invalid", "true");
});

test("choosing another file or changing the choice after a preview withdraws it, so only a previewed file is applied", async ({ page, press }, testInfo) => {
  await newSchool(page, press, testInfo);
  const first = testInfo.outputPath("first.csv");
  const second = testInfo.outputPath("second.csv");
  writeFileSync(first, "class,first_name,last_name\n7A,Ann,Lee\n");
  writeFileSync(second, "class,first_name,last_name\n7B,Bob,Ray\n");
  await open(page, "/school/import");
  const file = page.getByLabel("Roster file");
  const apply = page.getByRole("button", { name: "Apply import" });
  await file.setInputFiles(first);
  await press(page.getByRole("button", { name: "Preview" }));
  await expect(page.getByRole("status").filter({ hasText: "first.csv" })).toBeVisible();
  await expect(apply).toBeEnabled();

  await file.setInputFiles(second);
  await expect(apply).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: "first.csv" })).toHaveCount(0);

  await press(page.getByRole("button", { name: "Preview" }));
  await expect(page.getByRole("status").filter({ hasText: "second.csv" })).toBeVisible();
  await expect(apply).toBeEnabled();
  await page.getByLabel("Inactivate learners who are not in the file").check();
  await expect(apply).toHaveCount(0);
});

test("a lead teacher's import offers no inactivation: only admins inactivate", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "lead", "oakwood-lead-1");
  await open(page, "/school/import");
  await expect(page.getByLabel("Roster file")).toBeVisible();
  await expect(page.getByLabel("Inactivate learners who are not in the file")).toHaveCount(0);
  await expect(page.getByText("only a full admin or the owner can inactivate or reactivate accounts")).toBeVisible();
});

test("turning learner passwords off asks first, and a staff-set password then reads Not stored", async ({ page, press }, testInfo) => {
  await newSchool(page, press, testInfo);
  await addClass(page, press, "Year 1");
  await addMayaToYear1(page, press);
  const classPage = page.url();

  // Unticking and saving asks first; Cancel saves nothing.
  await open(page, "/settings");
  const visible = page.getByLabel("Staff can see learner passwords");
  // The school settings' own "Save" (single sign-on has another).
  const save = page.locator("form").filter({ has: visible }).getByRole("button", { name: "Save" });
  await visible.uncheck();
  await press(save);
  const confirm = page.getByRole("dialog", { name: "Stop showing learner passwords?" });
  await expect(confirm).toContainText("cannot be brought back");
  // Focus starts on the safe choice.
  await expect(confirm.getByRole("button", { name: "Cancel" })).toBeFocused();
  await press(confirm.getByRole("button", { name: "Cancel" }));
  await expect(confirm).toHaveCount(0);
  await open(page, "/settings");
  await expect(visible).toBeChecked();

  // Confirmed, the copies are destroyed; turning it on again asks nothing.
  await visible.uncheck();
  await press(save);
  await press(confirm.getByRole("button", { name: "Destroy stored passwords and save" }));
  await expect(page.getByRole("status")).toHaveText("Saved");
  await visible.check();
  await press(save);
  await expect(confirm).toHaveCount(0);
  await expect(page.getByRole("status")).toHaveText("Saved");

  // Staff set Maya's password: it is not stored, not "set by the learner".
  await open(page, new URL(classPage).pathname);
  const maya = page.getByRole("row", { name: /Maya Patel/ });
  await expect(maya).toContainText("Not stored (reset to see a new one)");
  await expect(maya).not.toContainText("Set by the learner");
});

test("a double click on \"Apply rollover\" applies it once", async ({ page, press }, testInfo) => {
  await schoolOfYears1And2WithMaya(page, press, testInfo);

  // Year 1 → Year 2 → leavers: applied twice, Maya would move up and then
  // leave the school.
  await open(page, "/school/rollover");
  await page.getByRole("combobox", { name: "Next class for Year 1" }).selectOption({ label: "Year 2" });
  await page.getByRole("combobox", { name: "Next class for Year 2" }).selectOption({ label: "Leavers: inactivate learners" });
  await press(page.getByRole("button", { name: "Preview rollover" }));
  await expect(page.getByRole("row", { name: /Maya Patel/ })).toContainText("Year 1Year 2");
  await page.getByRole("button", { name: "Apply rollover" }).dblclick();
  await expect(page.getByRole("status")).toHaveText("Rollover done: 1 learner moved, 0 inactivated.");
  // (Where focus ends is not checked here: on a loaded machine the second
  // click can land after the outcome took focus, and a click on text takes
  // focus to the page, as it should. The single press's test checks it.)
  await expect(page.getByRole("alert")).toHaveCount(0);
  await open(page, "/classes");
  await press(page.getByRole("link", { name: "Year 2" }));
  await expect(page.getByRole("row", { name: /Maya Patel/ })).toBeVisible();
  await open(page, "/school/rollover");
  await expect(page.getByText(/by .*: 1 learner moved or inactivated\./)).toBeVisible();
});

test("the year-end rollover moves a class on and is undone", async ({ page, press }, testInfo) => {
  await schoolOfYears1And2WithMaya(page, press, testInfo);

  await open(page, "/school/rollover");
  await expect(page.getByRole("heading", { name: "Year-end rollover", level: 1 })).toBeVisible();
  await page.getByRole("combobox", { name: "Next class for Year 1" }).selectOption({ label: "Year 2" });
  await page.getByRole("combobox", { name: "Next class for Year 2" }).selectOption({ label: "A new class…" });
  await page.getByLabel("New class name for Year 2").fill("Year 3");
  await press(page.getByRole("button", { name: "Preview rollover" }));
  await expect(page.getByRole("heading", { name: "Preview", level: 2 })).toBeFocused();
  await expect(page.getByRole("row", { name: /Maya Patel/ })).toContainText("Year 1Year 2");
  await expect(page.getByText("1 learner moves, 0 are inactivated as leavers; new classes: Year 3.")).toBeVisible();
  // Each class's move in one line, before the learner-by-learner table
  // and below "Apply rollover" (checked below).
  await expect(page.getByRole("list", { name: "Moves by class" }).getByRole("listitem")).toHaveText(["Year 1 → Year 2: 1 learner"]);
  // "Apply rollover" stands above the moves, in view however many there are.
  const applyBox = await page.getByRole("button", { name: "Apply rollover" }).boundingBox();
  const movesBox = await page.getByRole("region", { name: "Moves of the rollover" }).boundingBox();
  expect(applyBox!.y + applyBox!.height).toBeLessThanOrEqual(movesBox!.y);
  const byClassBox = await page.getByRole("list", { name: "Moves by class" }).boundingBox();
  expect(applyBox!.y + applyBox!.height).toBeLessThanOrEqual(byClassBox!.y);
  await press(page.getByRole("button", { name: "Apply rollover" }));
  await expect(page.getByRole("status")).toHaveText("Rollover done: 1 learner moved, 0 inactivated.");
  await expect(page.getByRole("status")).toBeFocused();
  await open(page, "/classes");
  await expect(page.getByRole("row", { name: /Year 2/ })).toContainText("1");

  await open(page, "/school/rollover");
  await press(page.getByRole("button", { name: "Undo rollover" }));
  await expect(page.getByRole("status")).toHaveText(
    "The last rollover is undone: every learner is back in their class.",
  );
  await expect(page.getByRole("status")).toBeFocused();
  await open(page, "/classes");
  await expect(page.getByRole("row", { name: /Year 1/ })).toContainText("1");
  await expect(page.getByRole("row", { name: /Year 2/ })).toContainText("0");
});

test("the longest class and learner names wrap instead of pushing pages and dialogs sideways", async ({ page, press }, testInfo) => {
  await newSchool(page, press, testInfo);
  // 80 letters, the most a class name may have, with no space to wrap at.
  const name = "Y".repeat(80);
  await addClass(page, press, name);
  // What in `where` scrolls sideways: the page itself, or a box that
  // scrolls (a dialog, a table's scroller). Names them, for the message.
  const sideways = (where: Locator | Page) =>
    ("goto" in where ? where.locator("html") : where).evaluate((root) =>
      [root, ...root.querySelectorAll("*")]
        .filter(
          (el) =>
            el.scrollWidth > el.clientWidth + 1 &&
            (el === document.documentElement || ["auto", "scroll"].includes(getComputedStyle(el).overflowX)),
        )
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
    );
  await page.getByRole("link", { name }).click();
  await hydrated(page);
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  expect(await sideways(page), "the class page").toEqual([]);

  // A learner with 60-letter names (the most each may have).
  await press(page.getByRole("button", { name: "Add learner" }));
  const add = page.getByRole("dialog", { name: "Add learner" });
  await add.getByLabel("First name").fill("W".repeat(60));
  await add.getByLabel("Last name").fill("M".repeat(60));
  await add.getByLabel("Username").fill("long.names");
  await press(add.getByRole("button", { name: "Add learner" }));
  await expect(add.getByRole("status")).toContainText("Give them these details");
  expect(await sideways(add), "the Added dialog").toEqual([]);
  await press(add.getByRole("button", { name: "Done" }));

  await open(page, "/school/rollover");
  await expect(page.getByRole("heading", { name: "Year-end rollover", level: 1 })).toBeVisible();
  expect(await sideways(page), "the rollover page").toEqual([]);

  // The import preview: the longest names, and a line whose reason is long.
  const file = testInfo.outputPath("long-names.csv");
  // A new class of 80 letters too ("New classes: …").
  const newClass = "Z".repeat(80);
  writeFileSync(file, `Class,First name,Last name\n${newClass},${"W".repeat(60)},${"M".repeat(60)}\n${name},,${"K".repeat(60)}\n`);
  await open(page, "/school/import");
  await page.getByLabel("Roster file").setInputFiles(file);
  await press(page.getByRole("button", { name: "Preview" }));
  await expect(page.getByRole("status").filter({ hasText: "long-names.csv" })).toContainText("1 with errors");
  await expect(page.getByText(`New classes: ${newClass}.`)).toBeVisible();
  expect(await sideways(page), "the import preview").toEqual([]);
  // While the long cells wrap, the status stays one word on one line.
  const status = page.locator("table.import-preview td.status").filter({ hasText: "Error" });
  const statusLines = await status.evaluate((cell) => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
  });
  expect(statusLines).toBe(1);

  await open(page, "/staff");
  await press(page.getByRole("button", { name: "Add staff member" }));
  const staff = page.getByRole("dialog", { name: "Add staff member" });
  await expect(staff.getByLabel(name)).toBeVisible();
  expect(await sideways(staff), "the Add staff member dialog").toEqual([]);
});
