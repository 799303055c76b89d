import { createSchool, demoStaff, expect, open, signIn, signOut, test } from "./fixtures";

for (const staff of demoStaff) {
  test(`${staff.school} ${staff.username} signs in and sees their home page`, async ({ page, press }) => {
    await signIn(page, press, staff.school, staff.username, staff.password);
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole("heading", { name: `Welcome, ${staff.name}` })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My account" })).toBeVisible();
    await expect(page.getByText(staff.role).first()).toBeVisible();
  });
}

test("the navigation offers only what the role may use", async ({ page, press }) => {
  await signIn(page, press, "OAK", "teacher", "oakwood-teacher-1");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Classes" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Staff" })).toHaveCount(0);
  await expect(nav.getByRole("link", { name: "Student database" })).toHaveCount(0);
});

test("staff sign in with their email and no school code", async ({ page, press }) => {
  await signIn(page, press, "", "lead@oakwood.example", "oakwood-lead-1");
  await expect(page.getByRole("heading", { name: "Welcome, Leo Lead" })).toBeVisible();
});

test("a wrong password gets one message that does not say which part was wrong", async ({ page, press }) => {
  await signIn(page, press, "OAK", "office", "not-the-password-9");
  await expect(page.getByRole("alert")).toHaveText("The school code, username or password is not right.");
  await expect(page).toHaveURL(/\/login/);
  // Focus waits in the emptied password field, which names the error.
  await expect(page.getByLabel("Password", { exact: true })).toBeFocused();
  await expect(page.getByLabel("Password", { exact: true })).toHaveAccessibleDescription(
    "The school code, username or password is not right.",
  );
  await signIn(page, press, "OAK", "nobody-here", "not-the-password-9");
  await expect(page.getByRole("alert")).toHaveText("The school code, username or password is not right.");
});

test("an empty username is asked for, with focus in that field", async ({ page, press }) => {
  await signIn(page, press, "OAK", "", "not-the-password-9");
  await expect(page.getByRole("alert")).toHaveText("Enter your username or email address.");
  await expect(page.getByLabel("Username")).toBeFocused();
  await expect(page.getByLabel("Username")).toHaveAccessibleDescription("Enter your username or email address.");
});

test("signing out returns to sign-in, which remembers the school code", async ({ page, press }) => {
  await signIn(page, press, "RIV", "admin", "riverside-owner-1");
  await expect(page.getByRole("heading", { name: "Welcome, Rita Owner" })).toBeVisible();
  await press(page.locator("summary", { hasText: "Rita Owner" }));
  await press(page.getByRole("button", { name: "Sign out" }));
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole("status")).toHaveText("You have signed out.");
  await open(page, "/login");
  await expect(page.getByLabel("School code")).toHaveValue("RIV");
  // With the code remembered, the next person starts at "Username".
  await expect(page.getByLabel("Username")).toBeFocused();
  await open(page, "/account");
  await expect(page).toHaveURL(/\/login/);
});

test("changing one's own password signs out and the new password works", async ({ page, press }, testInfo) => {
  const code = `T${testInfo.project.name.slice(0, 3).toUpperCase()}${Date.now() % 100000}`;
  const email = `owner-${code.toLowerCase()}@test.example`;
  createSchool(code, email, "first-owner-pass-1");

  await signIn(page, press, "", email, "first-owner-pass-1");
  await expect(page.getByRole("heading", { name: "Welcome, Test Owner" })).toBeVisible();
  await open(page, "/account");
  await page.getByLabel("Current password").fill("first-owner-pass-1");
  await page.getByLabel("New password", { exact: true }).fill("short");
  await page.getByLabel("Confirm new password").fill("short");
  await expect(page.locator("#new_password_problem")).toHaveText("The password must be at least 8 characters long.");
  // Two that differ: said under the confirmation, the field to fix.
  const confirmation = page.getByLabel("Confirm new password");
  await page.getByLabel("New password", { exact: true }).fill("second-owner-pass-2");
  await confirmation.fill("second-owner-pass-3");
  await expect(confirmation).toHaveAccessibleDescription("The two passwords do not match.");
  await expect(confirmation).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("New password", { exact: true })).not.toHaveAttribute("aria-invalid", "true");
  await page.getByLabel("Current password").fill("first-owner-pass-1");
  await press(page.getByRole("button", { name: "Change password" }));
  await expect(confirmation).toBeFocused();
  await expect(confirmation).toHaveAccessibleDescription("The two passwords do not match.");
  await confirmation.fill("second-owner-pass-2");
  await expect(page.locator("#new_password_problem")).toHaveText("");
  await expect(page.locator("#confirm_new_password_problem")).toHaveText("");
  // The server's refusals land on the field to fix, read with it.
  const current = page.getByLabel("Current password");
  await current.fill("not-my-password-1");
  await press(page.getByRole("button", { name: "Change password" }));
  await expect(current).toBeFocused();
  await expect(current).toHaveAttribute("aria-invalid", "true");
  await expect(current).toHaveAccessibleDescription("Your current password is not right.");
  await current.fill("first-owner-pass-1");
  const newPassword = page.getByLabel("New password", { exact: true });
  await newPassword.fill("first-owner-pass-1");
  await page.getByLabel("Confirm new password").fill("first-owner-pass-1");
  await press(page.getByRole("button", { name: "Change password" }));
  await expect(newPassword).toBeFocused();
  await expect(newPassword).toHaveAccessibleDescription(/Choose a password different from your current one\.$/);
  await expect(current).not.toHaveAttribute("aria-invalid", "true");
  await newPassword.fill("second-owner-pass-2");
  await page.getByLabel("Confirm new password").fill("second-owner-pass-2");
  await expect(newPassword).not.toHaveAttribute("aria-invalid", "true");
  await press(page.getByRole("button", { name: "Change password" }));

  await expect(page).toHaveURL(/\/login\?notice=password-changed/);
  await expect(page.getByRole("status")).toContainText("Your password was changed");
  // Only the new password is left to type: the school code and the
  // account's username (the owner's is "admin") are filled in.
  await expect(page.getByLabel("School code")).toHaveValue(code);
  await expect(page.getByLabel("Username")).toHaveValue("admin");
  await expect(page.getByLabel("Password", { exact: true })).toBeFocused();
  await signIn(page, press, "", email, "first-owner-pass-1");
  await expect(page.getByRole("alert")).toHaveText("The school code, username or password is not right.");
  await signIn(page, press, "", email, "second-owner-pass-2");
  await expect(page.getByRole("heading", { name: "Welcome, Test Owner" })).toBeVisible();
  // Kept for that one sign-in: a later sign-in page starts empty.
  await signOut(page, press, "Test Owner");
  await open(page, "/login?notice=password-changed");
  await expect(page.getByLabel("Username")).toHaveValue("");
});

test("an unknown address shows a page-not-found page", async ({ page }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});
