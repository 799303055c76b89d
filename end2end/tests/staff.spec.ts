import { addStaffMember, createSchool, demoStaff, expect, hydrated, office, open, resetLinkIn, signedIn, signIn, signOut, test } from "./fixtures";

test("an office admin sets a teacher's password and the teacher must change it at sign-in", async ({ page, press }, testInfo) => {
  const member = await addStaffMember(page, press, testInfo);
  await press(page.getByRole("row").filter({ hasText: member.username }).getByRole("button", { name: "Edit" }));
  const dialog = page.getByRole("dialog", { name: "Edit staff member" });
  const newPassword = dialog.getByLabel("New password", { exact: true });
  await expect(newPassword).toHaveAttribute("type", "password");
  await expect(newPassword).toHaveValue("");
  await expect(dialog.getByLabel("Must change it at next sign-in")).toBeChecked();
  // Only the password field answers to its DESIGN.md name, as typed by a
  // person or a test (a label matches any label that contains it).
  await expect(dialog.getByLabel("New password")).toHaveCount(1);
  // A password the rules refuse is said under the field, which takes focus.
  await newPassword.fill("short");
  await press(dialog.getByRole("button", { name: "Save" }));
  await expect(newPassword).toBeFocused();
  await expect(newPassword).toHaveAttribute("aria-invalid", "true");
  await expect(newPassword).toHaveAccessibleDescription(/^Leave empty to keep the current password\. .*at least 8 characters/);
  await newPassword.fill("set-by-office-4");
  await press(dialog.getByRole("button", { name: "Save" }));
  await expect(dialog.getByRole("status")).toHaveText("Saved");
  // A new password signs them out, which the office reads before telling them.
  await expect(dialog.getByText("The new password works now, and they are signed out everywhere. At their next sign-in they choose their own.")).toBeVisible();
  await expect(newPassword).toHaveValue("");
  // Focus stays on the pressed button through the save, and closing gives
  // it back to the row's "Edit", though the save redrew the row.
  await expect(dialog.getByRole("button", { name: "Save" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole("row").filter({ hasText: member.username }).getByRole("button", { name: "Edit" })).toBeFocused();

  await signOut(page, press, office.name);
  await signIn(page, press, "OAK", member.username, "set-by-office-4");
  await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  await open(page, "/classes");
  await expect(page).toHaveURL(/\/account\/new-password$/);
  // A fresh load, so the form is not replaced while it is being filled.
  await open(page, "/account/new-password");
  await page.getByLabel("New password", { exact: true }).fill("my-own-choice-5");
  await page.getByLabel("Confirm new password").fill("my-own-choice-5");
  await press(page.getByRole("button", { name: "Change password" }));
  await expect(page.getByRole("heading", { name: `Welcome, ${member.name}` })).toBeVisible();

  await signOut(page, press, member.name);
  await signIn(page, press, "OAK", member.username, "set-by-office-4");
  await expect(page.getByRole("alert")).toHaveText("The school code, username or password is not right.");
  await signedIn(page, press, "OAK", member.username, "my-own-choice-5");
});

test("a new staff member chooses a first password through the welcome link", async ({ page, press, browser }, testInfo) => {
  const member = await addStaffMember(page, press, testInfo);
  await signOut(page, press, office.name);
  const link = await resetLinkIn(member.email, "Your ClassKeys account at Oakwood Primary");
  expect(link).toMatch(/^\/welcome\//);
  // Opened on the new member's own phone, which has never signed in here.
  const elsewhere = await browser.newContext({ baseURL: process.env.CLASSKEYS_URL });
  const phone = await elsewhere.newPage();
  await open(phone, link);
  await phone.getByLabel("New password", { exact: true }).fill("first-choice-4");
  await phone.getByLabel("Confirm new password").fill("first-choice-4");
  await press(phone.getByRole("button", { name: "Set password" }));
  // A first password is set, not "changed".
  await expect(phone).toHaveURL(/\/login\?notice=password-set/);
  await expect(phone.getByRole("status")).toHaveText("Your password is set. Please sign in with it.");
  // The school code and username are filled in: only the password is typed.
  await expect(phone.getByLabel("School code")).toHaveValue("OAK");
  await expect(phone.getByLabel("Username")).toHaveValue(member.username);
  const password = phone.getByLabel("Password", { exact: true });
  await expect(password).toBeFocused();
  await password.fill("first-choice-4");
  await press(phone.getByRole("button", { name: "Sign in" }));
  await expect(phone.getByRole("heading", { name: /^Welcome, / })).toBeVisible();
  await elsewhere.close();
});

test("a forgotten password is reset through the emailed link, which works once", async ({ page, press }, testInfo) => {
  const member = await addStaffMember(page, press, testInfo);
  await signOut(page, press, office.name);
  await open(page, "/forgot-password");
  await page.getByLabel("Email").fill(member.email);
  await press(page.getByRole("button", { name: "Send reset link" }));
  await expect(page.getByRole("status")).toContainText("If an account uses that address, we have sent a link");

  const link = await resetLinkIn(member.email, "Reset your ClassKeys password");
  await open(page, link);
  await page.getByLabel("New password", { exact: true }).fill("from-the-email-6");
  await page.getByLabel("Confirm new password").fill("from-the-email-6");
  await press(page.getByRole("button", { name: "Set password" }));
  await expect(page).toHaveURL(/\/login\?notice=password-changed/);
  await signedIn(page, press, "", member.email, "from-the-email-6");

  await signOut(page, press, member.name);
  await open(page, link);
  await expect(page.getByRole("alert")).toContainText("expired or was already used");
});

test("the office sends a reset link from the staff page", async ({ page, press }, testInfo) => {
  const member = await addStaffMember(page, press, testInfo);
  await press(page.getByRole("row").filter({ hasText: member.username }).getByRole("button", { name: "Edit" }));
  const dialog = page.getByRole("dialog", { name: "Edit staff member" });
  await press(dialog.getByRole("button", { name: "Reset password via email" }));
  await expect(dialog.getByRole("status")).toContainText("Reset link sent by email");
  await expect(dialog.getByRole("button", { name: "Reset password via email" })).toBeFocused();
  await resetLinkIn(member.email, "Reset your ClassKeys password");
});

test("the owner's row offers nothing to a full admin", async ({ page, press }) => {
  await signedIn(page, press, office.school, office.username, office.password);
  await open(page, "/staff");
  const ownerRow = page.getByRole("row").filter({ hasText: "owner@oakwood.example" });
  await expect(ownerRow).toContainText("Owner");
  await expect(ownerRow.getByRole("button")).toHaveCount(0);
});

for (const username of ["lead", "teacher"]) {
  test(`a ${username} cannot open the staff page or the settings`, async ({ page, press }) => {
    const account = demoStaff.find((s) => s.school === "OAK" && s.username === username)!;
    await signedIn(page, press, account.school, account.username, account.password);
    await expect(page.getByRole("link", { name: "Staff" })).toHaveCount(0);
    for (const path of ["/staff", "/settings"]) {
      // The refusal is the page, answered 403 rather than 200.
      const response = await page.goto(path);
      expect(response!.status(), path).toBe(403);
      await hydrated(page);
      await expect(page.getByRole("alert")).toContainText("You do not have permission to open this page");
      await expect(page.getByRole("table")).toHaveCount(0);
    }
    // The server refuses too, not only the page.
    for (const fn of ["staff_directory", "school_settings_page"]) {
      const response = await page.request.post(`/api/${fn}`, { headers: { "sec-fetch-site": "same-origin" } });
      expect(response.status(), fn).toBe(403);
    }
  });
}

test("the settings page shows the school's rules to a full admin", async ({ page, press }) => {
  await signedIn(page, press, office.school, office.username, office.password);
  await open(page, "/settings");
  await expect(page.getByRole("heading", { name: "School settings" })).toBeVisible();
  await expect(page.getByLabel("Minimum password length")).toHaveValue("8");
  await expect(page.getByLabel("Require a digit")).toBeChecked();
  await expect(page.getByLabel("Staff can see learner passwords")).toBeChecked();
  await expect(page.getByText(/SMS credits left/)).toBeVisible();
});

test("a minimum password length the server refuses is said under its field, which takes focus", async ({ page, press }, testInfo) => {
  const code = `S${testInfo.project.name.slice(0, 1).toUpperCase()}${Date.now() % 1000000}`;
  const email = `owner-${code.toLowerCase()}@school.example`;
  createSchool(code, email, "first-owner-pass-1");
  await signedIn(page, press, "", email, "first-owner-pass-1");
  await open(page, "/settings");
  const length = page.getByLabel("Minimum password length");
  await length.fill("5");
  await press(page.getByRole("button", { name: "Save", exact: true }));
  await expect(length).toBeFocused();
  await expect(length).toHaveAttribute("aria-invalid", "true");
  await expect(length).toHaveAccessibleDescription(/The minimum password length is between 8 and 128 characters\.$/);
  await length.fill("10");
  await press(page.getByRole("button", { name: "Save", exact: true }));
  await expect(page.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();
  await expect(length).not.toHaveAttribute("aria-invalid", "true");
});

test("'Add staff member' names every empty field under it, and a taken username under Username", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "office", "oakwood-office-1");
  await open(page, "/staff");
  await press(page.getByRole("button", { name: "Add staff member" }));
  const dialog = page.getByRole("dialog", { name: "Add staff member" });
  await press(dialog.getByRole("button", { name: "Create account" }));
  const username = dialog.getByLabel("Username");
  await expect(username).toHaveAttribute("aria-invalid", "true");
  await expect(username).toHaveAccessibleDescription("Enter a username.");
  await expect(dialog.getByLabel("Display name")).toHaveAccessibleDescription("Enter their name.");
  await expect(dialog.getByLabel("Email")).toHaveAccessibleDescription(/link to choose a password/);
  await expect(dialog.getByLabel("Mobile")).not.toHaveAttribute("aria-invalid", "true");
  // Focus goes to the first field to fix.
  await expect(username).toBeFocused();
  // A tablet's keyboard starts a name with a capital, and types a username,
  // an email and a number as they are.
  await expect(dialog.getByLabel("Display name")).toHaveAttribute("autocapitalize", "words");
  for (const [label, type] of [["Username", "text"], ["Email", "email"], ["Mobile", "tel"]]) {
    await expect(dialog.getByLabel(label)).toHaveAttribute("type", type);
    await expect(dialog.getByLabel(label)).toHaveAttribute("autocapitalize", "none");
  }

  await username.fill("teacher");
  await dialog.getByLabel("Display name").fill("Second Teacher");
  await dialog.getByLabel("Email").fill("second.teacher@oakwood.example");
  await press(dialog.getByRole("button", { name: "Create account" }));
  await expect(username).toHaveAccessibleDescription(/teacher/);
  await expect(username).toBeFocused();
  await expect(dialog.getByLabel("Display name")).not.toHaveAttribute("aria-invalid", "true");
});

test("a staff member locked out by ten wrong passwords is unlocked from the staff page, which says so", async ({ page, press }, testInfo) => {
  const member = await addStaffMember(page, press, testInfo);
  // A child at the class's tablet types the teacher's username ten times.
  const other = await page.context().browser()!.newContext();
  const tab = await other.newPage();
  for (let failure = 1; failure <= 10; failure++) {
    await open(tab, "/login");
    await tab.getByLabel("School code").fill("OAK");
    await tab.getByLabel("Username").fill(member.username);
    await tab.getByLabel("Password", { exact: true }).fill("not-the-password-9");
    await Promise.all([
      tab.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/login"),
      tab.getByRole("button", { name: "Sign in" }).click(),
    ]);
  }
  await expect(tab.getByRole("alert")).toContainText("locked");
  await other.close();

  await open(page, "/staff");
  const row = page.getByRole("row").filter({ hasText: member.username });
  await expect(row).toContainText(/Locked until \d\d:\d\d/);
  await press(row.getByRole("button", { name: "Unlock" }));
  await expect(page.getByRole("status").filter({ hasText: "Unlocked" })).toHaveText(`Unlocked ${member.name}. They can sign in again.`);
  await expect(row.getByRole("button", { name: "Unlock" })).toHaveCount(0);
  await expect(row).toContainText("Active");
  await expect(row.getByRole("button", { name: "Edit" })).toBeFocused();
});

test("a long staff form keeps 'Save' in view at the dialog's foot", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "office", "oakwood-office-1");
  await open(page, "/staff");
  await press(page.getByRole("row").filter({ hasText: "teacher@oakwood.example" }).getByRole("button", { name: "Edit" }));
  const dialog = page.getByRole("dialog", { name: "Edit staff member" });
  const save = dialog.getByRole("button", { name: "Save" });
  const inView = async () => {
    const box = (await save.boundingBox())!;
    return box.y >= 0 && box.y + box.height <= page.viewportSize()!.height;
  };
  // The form is taller than the screen (permissions, classes), yet "Save"
  // shows without scrolling, and still after scrolling to the fields.
  const form = dialog.locator("form");
  expect(await form.evaluate((f) => f.getBoundingClientRect().bottom > f.closest("dialog")!.getBoundingClientRect().bottom)).toBe(true);
  expect(await inView()).toBe(true);
  // A field reached by Tab is scrolled clear of the "Save" row, not under it.
  const hazel = dialog.getByLabel("Year 3 Hazel");
  await hazel.focus();
  expect(await inView()).toBe(true);
  const box = (await hazel.boundingBox())!;
  expect(await page.evaluate(([x, y]) => !!document.elementFromPoint(x, y)?.closest("form .dialog-row:last-child"), [box.x + box.width / 2, box.y + box.height / 2])).toBe(false);
});
