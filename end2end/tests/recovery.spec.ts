import { execFileSync } from "node:child_process";
import { classkeysBinary } from "../global-setup";
import { createSchool, expect, hydrated, open, signIn, test } from "./fixtures";

test("an owner recovered by the operator sets a new password through the link, once", async ({ page, press }, testInfo) => {
  const code = `R${testInfo.project.name.slice(0, 3).toUpperCase()}${Date.now() % 100000}`;
  const email = `owner-${code.toLowerCase()}@test.example`;
  createSchool(code, email, "first-owner-pass-1");
  const output = execFileSync(classkeysBinary(), ["admin", "recover-owner", "--school", code], {
    env: { ...process.env, RUST_LOG: "warn", CLASSKEYS_PUBLIC_URL: process.env.CLASSKEYS_URL },
  }).toString();
  const link = output.match(/https?:\/\/\S+\/reset-password\/\S+/)![0];

  await open(page, new URL(link).pathname);
  await expect(page.getByText("For Test Owner")).toBeVisible();
  await page.getByLabel("New password", { exact: true }).fill("recovered-pass-3");
  await page.getByLabel("Confirm new password").fill("recovered-pass-3");
  await press(page.getByRole("button", { name: "Set password" }));
  await expect(page).toHaveURL(/\/login\?notice=password-changed/);

  await signIn(page, press, "", email, "recovered-pass-3");
  await expect(page.getByRole("heading", { name: "Welcome, Test Owner" })).toBeVisible();

  await open(page, new URL(link).pathname);
  await expect(page.getByRole("alert")).toContainText("expired or was already used");
  await expect(page.getByRole("link", { name: "Ask for a new link" })).toBeVisible();
});

test("forgot password answers the same way for any address", async ({ page, press }) => {
  await open(page, "/login");
  await press(page.getByRole("link", { name: "Forgot password?" }));
  await expect(page.getByRole("heading", { name: "Forgot password?" })).toBeVisible();
  await hydrated(page);
  // Not an address: said under the field, which takes focus.
  const field = page.getByLabel("Email");
  await field.fill("owner at oakwood");
  await press(page.getByRole("button", { name: "Send reset link" }));
  await expect(field).toBeFocused();
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await expect(field).toHaveAccessibleDescription("Enter an email address such as name@school.example.");
  for (const email of ["nobody@nowhere.example", "owner@oakwood.example"]) {
    await page.getByLabel("Email").fill(email);
    await press(page.getByRole("button", { name: "Send reset link" }));
    await expect(page.getByRole("status")).toHaveText(
      "If an account uses that address, we have sent a link. It works once, for 60 minutes.",
    );
    await expect(field).not.toHaveAttribute("aria-invalid", "true");
  }
});
