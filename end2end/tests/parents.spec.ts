import type { Locator, Page } from "@playwright/test";
import { accessibilityViolations, demoStaff, expect, hydrated, open, resetLinkIn, signedIn, signOut, test } from "./fixtures";

const teacher = demoStaff.find((s) => s.school === "OAK" && s.username === "teacher")!;

/** The teacher reads row `index` of Year 3 Hazel's access codes: a child's name and parent access code. */
async function parentCodeOf(page: Page, press: (t: Locator) => Promise<void>, index: number) {
  await signedIn(page, press, teacher.school, teacher.username, teacher.password);
  await open(page, "/classes");
  await page.getByRole("row", { name: /Year 3 Hazel/ }).getByRole("link", { name: "Access codes" }).click();
  await hydrated(page);
  await press(page.getByRole("button", { name: "Show access codes" }));
  const row = page.locator("table.access-codes tbody tr").nth(index);
  const child = (await row.locator("th").textContent())!.trim();
  const code = (await row.locator("td").last().textContent())!.trim();
  expect(code).toMatch(/^[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}$/);
  await signOut(page, press, teacher.name);
  return { child, code };
}

test("a parent signs up with a code read from the class access codes and sees their child", async ({ page, press }, testInfo) => {
  // Each project reads its own row, so the two never share a child.
  const { child, code } = await parentCodeOf(page, press, testInfo.project.name === "tablet" ? 5 : 6);

  await open(page, "/login");
  await press(page.getByRole("link", { name: "Create a parent account" }));
  await expect(page.getByRole("heading", { name: "Parent sign-up" })).toBeVisible();
  await hydrated(page);
  const email = `carer-${testInfo.project.name}-${Date.now() % 1000000}@home.example`;
  await page.getByLabel("Parent access code").fill(code.toLowerCase());
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill("sunny-garden-31");
  await page.getByLabel("Confirm password").fill("sunny-garden-31");
  await press(page.getByRole("button", { name: "Create account" }));
  await expect(page.getByRole("status")).toHaveText(`We have sent a link to ${email} to finish creating your account.`);

  // The emailed link creates the account, signs it in and opens /parent.
  const link = await resetLinkIn(email, "Finish creating your ClassKeys parent account (Oakwood Primary)");
  expect(link).toMatch(/^\/parent\/confirm\//);
  // In the browser that signed up, the link finishes by itself.
  await open(page, link);
  await expect(page).toHaveURL(/\/parent$/);
  const mine = page.getByRole("row").filter({ hasText: child });
  await expect(mine).toContainText("Year 3 Hazel");
  await expect(mine).toContainText("Oakwood Primary");
  // The parent's own page names itself and the school, and passes
  // axe-core's WCAG 2.1 AA rules as every staff page does
  // (accessibility.spec.ts), once it has settled after the link's redirect.
  await expect(page).toHaveTitle("My children · Oakwood Primary · ClassKeys");
  expect(await accessibilityViolations(page), "/parent").toEqual([]);
  // "Add a child" with the same child's code says so, and clears the field.
  await hydrated(page);
  await page.getByLabel("Parent access code").fill(code);
  await press(page.getByRole("button", { name: "Add a child" }));
  await expect(page.getByRole("status")).toHaveText(`${child} was already linked to your account: nothing changed.`);
  await expect(page.getByLabel("Parent access code")).toHaveValue("");
  // A parent's navigation offers their children and their account only.
  await expect(page.getByRole("link", { name: "Classes" })).toHaveCount(0);
  await open(page, "/staff");
  await expect(page.getByRole("alert")).toContainText("You do not have permission");
  // The server refuses too, not only the page.
  for (const fn of ["staff_directory", "list_classes", "school_learners"]) {
    const response = await page.request.post(`/api/${fn}`, { headers: { "sec-fetch-site": "same-origin" } });
    expect(response.status(), fn).toBe(403);
  }

  // The code leaked: the teacher unlinks the child's parents, and the
  // parent no longer sees the child.
  await signOut(page, press, email.split("@")[0]);
  await signedIn(page, press, teacher.school, teacher.username, teacher.password);
  await open(page, "/classes");
  await page.getByRole("link", { name: "Year 3 Hazel" }).click();
  await hydrated(page);
  await press(page.getByRole("row").filter({ hasText: child }).getByRole("button", { name: "Reset password" }));
  const dialog = page.getByRole("dialog", { name: "Reset password" });
  await press(dialog.getByRole("button", { name: "Unlink parents" }));
  await expect(dialog.getByRole("status")).toHaveText("1 parent unlinked. They no longer see this learner.");
  await press(dialog.getByRole("button", { name: "Close" }));
  await signOut(page, press, teacher.name);
  await signedIn(page, press, "", email, "sunny-garden-31");
  await open(page, "/parent");
  await expect(page.getByText("No children are linked to your account yet.")).toBeVisible();
});

test("a wrong parent access code is refused in words", async ({ page, press }) => {
  await open(page, "/parent/signup");
  await page.getByLabel("Parent access code").fill("ZZZ-ZZZ-ZZZ");
  await page.getByLabel("Email").fill("someone@home.example");
  await page.getByLabel("Password", { exact: true }).fill("sunny-garden-31");
  await page.getByLabel("Confirm password").fill("sunny-garden-31");
  await press(page.getByRole("button", { name: "Create account" }));
  await expect(page.getByRole("alert")).toHaveText("That parent access code is not right. Check it with your child's school.");
  // Said under the code, which takes focus: that is what to fix.
  const codeField = page.getByLabel("Parent access code");
  await expect(codeField).toBeFocused();
  await expect(codeField).toHaveAttribute("aria-invalid", "true");
  await expect(codeField).toHaveAccessibleDescription("That parent access code is not right. Check it with your child's school.");
});

test("an address that already has an account gets the same answer", async ({ page, press }) => {
  const { code } = await parentCodeOf(page, press, 9);

  await open(page, "/parent/signup");
  await page.getByLabel("Parent access code").fill(code);
  await page.getByLabel("Email").fill("office@oakwood.example");
  await page.getByLabel("Password", { exact: true }).fill("sunny-garden-31");
  await page.getByLabel("Confirm password").fill("sunny-garden-31");
  await press(page.getByRole("button", { name: "Create account" }));
  await expect(page.getByRole("status")).toHaveText("We have sent a link to office@oakwood.example to finish creating your account.");
});

test("a sign-up link opened in another browser asks for the password chosen on the form", async ({ page, press, browser }, testInfo) => {
  const { code } = await parentCodeOf(page, press, testInfo.project.name === "tablet" ? 11 : 12);
  const email = `phone-${testInfo.project.name}-${Date.now() % 1000000}@home.example`;
  await open(page, "/parent/signup");
  await page.getByLabel("Parent access code").fill(code);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill("sunny-garden-31");
  await page.getByLabel("Confirm password").fill("sunny-garden-31");
  await press(page.getByRole("button", { name: "Create account" }));
  await expect(page.getByRole("status")).toContainText(email);
  const link = await resetLinkIn(email, "Finish creating your ClassKeys parent account (Oakwood Primary)");

  const elsewhere = await browser.newContext({ baseURL: process.env.CLASSKEYS_URL });
  const phone = await elsewhere.newPage();
  await open(phone, link);
  await expect(phone.getByRole("alert")).toHaveText("To finish, type the password you chose when you signed up.");
  // Said under "Password", which takes focus, as is a wrong one.
  const password = phone.getByLabel("Password", { exact: true });
  await expect(password).toBeFocused();
  await expect(password).toHaveAccessibleDescription(/To finish, type the password you chose when you signed up\.$/);
  await password.fill("not-the-one-1");
  await phone.getByRole("button", { name: "Finish creating account" }).click();
  await expect(password).toHaveAccessibleDescription(/That is not the password you chose when you signed up\.$/);
  await expect(password).toBeFocused();
  await phone.getByLabel("Password", { exact: true }).fill("sunny-garden-31");
  await phone.getByRole("button", { name: "Finish creating account" }).click();
  await expect(phone).toHaveURL(/\/parent$/);
  await expect(phone.getByRole("heading", { name: "My children" })).toBeVisible();
  await elsewhere.close();
});
