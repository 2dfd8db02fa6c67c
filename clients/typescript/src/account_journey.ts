// The account's journey through the generated client, as the mobile app walks it: register a device for pushes
// and switch one kind off, book a trial home in Takanabe and apply for its subsidy, receive the push when the
// town's staff grant it (read back from the local FCM stand-in), try to delete the account with the booking
// still to come (409 active_bookings), withdraw and cancel, delete it; then, with another account, change the
// password and reset it through the link emailed to it (read from the file email backend's directory).
// Type-checked with `tsc --strict` and no casts; run against a served API:
// `node dist/account_journey.js http://127.0.0.1:8000 http://127.0.0.1:<fcm stand-in> <email directory>`.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Schemas = components["schemas"];

const baseUrl = process.argv[2] ?? "http://127.0.0.1:8000";
const fcmUrl = process.argv[3] ?? "http://127.0.0.1:9099";
const mailDirectory = process.argv[4] ?? "sent-mail";
const TAKANABE = "454028";
const TAKANABE_STAFF = { email: "staff@takanabe.check.otameshi.jp", password: "takanabe-check-passphrase" };

/** One signed-in app: its own client and tokens. */
class Session {
  readonly client = createClient<paths>({ baseUrl, headers: { "Accept-Language": "en" } });
  access: string | null = null;
  refresh: string | null = null;

  constructor() {
    const bearer: Middleware = {
      onRequest: ({ request }) => {
        if (this.access !== null) {
          request.headers.set("Authorization", `Bearer ${this.access}`);
        }
        return request;
      },
    };
    this.client.use(bearer);
  }

  async signIn(email: string, password: string): Promise<void> {
    const tokens = await this.client.POST("/api/v1/auth/token/", { body: { email, password } });
    const pair = must(tokens.data, "token", tokens.error);
    this.access = pair.access;
    this.refresh = pair.refresh;
  }
}

function step(message: string): void {
  console.log(`- ${message}`);
}

function fail(message: string, detail?: unknown): never {
  throw new Error(detail === undefined ? message : `${message}: ${JSON.stringify(detail)}`);
}

function must<T>(value: T | null | undefined, what: string, detail?: unknown): T {
  if (value === null || value === undefined) {
    fail(`no ${what}`, detail);
  }
  return value;
}

function isoDate(day: Date): string {
  return day.toISOString().slice(0, 10);
}

function addDays(iso: string, days: number): string {
  const day = new Date(`${iso}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return isoDate(day);
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

async function signUp(session: Session, label: string, password: string): Promise<string> {
  const email = `${label}-${Date.now()}@example.jp`;
  const registered = await session.client.POST("/api/v1/auth/register/", {
    body: { email, password, full_name: "移住 太郎", home_prefecture: "東京都", home_municipality_code: "131016" },
  });
  must(registered.data, "sign-up", registered.error);
  await session.signIn(email, password);
  step(`signed up and in as ${email}`);
  return email;
}

// --- FCM stand-in and mail ----------------------------------------------------------------------------------

interface Pushed {
  token: string;
  notification?: { title?: string; body?: string };
  data?: Record<string, string>;
}

function isPushed(value: unknown): value is Pushed {
  return typeof value === "object" && value !== null && "token" in value && typeof value.token === "string";
}

/** Waits (up to 30 s: the worker sends it) for the push of `type` and `id` to the device with `token`. */
async function awaitPush(token: string, type: string, id: number): Promise<Pushed> {
  for (let attempt = 0; attempt < 60; attempt += 1) {
    const answer: unknown = await (await fetch(`${fcmUrl}/messages`)).json();
    const messages = Array.isArray(answer) ? answer.filter(isPushed) : [];
    const found = messages.find(
      (message) => message.token === token && message.data?.type === type && message.data.id === String(id),
    );
    if (found !== undefined) {
      return found;
    }
    await sleep(500);
  }
  return fail(`no ${type} push for #${id} reached the FCM stand-in`);
}

/** The password reset link in the newest email to `email`, from the file backend's directory. */
function resetLink(email: string): URL {
  const files = readdirSync(mailDirectory).map((name) => join(mailDirectory, name)).sort();
  for (const file of files.reverse()) {
    const text = readFileSync(file, "utf8");
    const link = /https?:\/\/\S+\/app\/password-reset\?\S+/.exec(text);
    if (text.includes(`To: ${email}`) && link !== null) {
      return new URL(link[0]);
    }
  }
  return fail(`no password reset email to ${email}`);
}

// --- the journeys --------------------------------------------------------------------------------------------

/** A unit of Takanabe's trial home with `nights` bookable nights at least 10 days ahead (the application's
 * deadline is 7 days before check-in). */
async function takanabeStay(session: Session, nights: number): Promise<{ unit: number; checkIn: string; checkOut: string }> {
  const search = await session.client.GET("/api/v1/facilities/", {
    params: { query: { municipality: TAKANABE, kind: ["trial_housing"] } },
  });
  const today = isoDate(new Date());
  for (const result of must(search.data, "Takanabe facilities", search.error).results) {
    const detail = await session.client.GET("/api/v1/facilities/{facility_id}/", {
      params: { path: { facility_id: result.id } },
    });
    for (const unit of must(detail.data, "facility", detail.error).units) {
      const calendar = await session.client.GET("/api/v1/units/{unit_id}/availability/", {
        params: { path: { unit_id: unit.id }, query: { from: addDays(today, 10), to: addDays(today, 70) } },
      });
      const days: Schemas["AvailabilityDay"][] = must(calendar.data, "availability", calendar.error).days;
      const wanted = Math.max(nights, must(calendar.data, "availability").min_nights);
      for (let start = 0; start + wanted <= days.length; start += 1) {
        const run = days.slice(start, start + wanted);
        const first = run[0];
        if (first !== undefined && run.every((day) => day.bookable)) {
          return { unit: unit.id, checkIn: first.date, checkOut: addDays(first.date, wanted) };
        }
      }
    }
  }
  return fail("nothing bookable in Takanabe");
}

async function deviceGrantAndDeletion(): Promise<void> {
  const visitor = new Session();
  const password = "an-account-journey-passphrase";
  const email = await signUp(visitor, "account-journey", password);

  const deviceToken = `account-journey-device-${Date.now()}`;
  const first = await visitor.client.POST("/api/v1/devices/", { body: { platform: "ios", token: deviceToken } });
  const again = await visitor.client.POST("/api/v1/devices/", { body: { platform: "ios", token: deviceToken } });
  if (first.response.status !== 201 || again.response.status !== 200) {
    fail("a device is 201 when new and 200 when known", [first.response.status, again.response.status]);
  }
  const device = must(first.data, "device", first.error);
  step(`device registered (${device.platform}, pushes in ${device.language})`);

  const switched = await visitor.client.PATCH("/api/v1/me/notifications/", {
    body: { survey_due: { push: false } },
  });
  const switches = must(switched.data, "notification switches", switched.error);
  if (switches.survey_due.push || !switches.survey_due.email || !switches.application_granted.push) {
    fail("the switches are not as set", switches);
  }
  step("survey pushes switched off; application pushes stay on");

  const stay = await takanabeStay(visitor, 2);
  const booked = await visitor.client.POST("/api/v1/bookings/", {
    params: { header: { "Idempotency-Key": `account-journey-${Date.now()}` } },
    body: { unit: stay.unit, check_in: stay.checkIn, check_out: stay.checkOut, adults: 1 },
  });
  const booking = must(booked.data, "booking", booked.error);
  step(`booking ${booking.id} in Takanabe, ${stay.checkIn} to ${stay.checkOut}: ${booking.status}`);

  const opened = await visitor.client.POST("/api/v1/claims/", {
    body: { booking: booking.id, programme: "takanabe-trial-stay-2026" },
  });
  const claim = must(opened.data, "claim", opened.error);
  const applied = await visitor.client.POST("/api/v1/claims/{claim_id}/apply/", {
    params: { path: { claim_id: claim.id } },
  });
  step(`application ${claim.id} is ${must(applied.data, "application", applied.error).status}`);

  const staff = new Session();
  await staff.signIn(TAKANABE_STAFF.email, TAKANABE_STAFF.password);
  const granted = await staff.client.POST("/api/v1/claims/{claim_id}/grant/", {
    params: { path: { claim_id: claim.id } },
  });
  step(`staff granted it: ${must(granted.data, "grant", granted.error).status}`);
  const push = await awaitPush(deviceToken, "application_granted", claim.id);
  step(`push received at the FCM stand-in: "${push.notification?.title ?? ""}" ${JSON.stringify(push.data)}`);

  const refused = await visitor.client.DELETE("/api/v1/me/", { body: { password } });
  const conflict = refused.error?.error;
  if (refused.response.status !== 409 || conflict?.code !== "active_bookings") {
    fail("deleting with a booking to come was not refused as documented", refused.error);
  }
  const blocking = JSON.stringify(conflict);
  if (!blocking.includes(String(booking.id))) {
    fail("the refusal does not name the booking", conflict);
  }
  step(`deletion refused while booking ${booking.id} is to come: ${conflict.message}`);

  const withdrawn = await visitor.client.POST("/api/v1/claims/{claim_id}/withdraw/", {
    params: { path: { claim_id: claim.id } },
  });
  must(withdrawn.data, "withdrawal", withdrawn.error);
  const cancelled = await visitor.client.POST("/api/v1/bookings/{booking_id}/cancel/", {
    params: { path: { booking_id: booking.id } },
    body: {},
  });
  step(`application withdrawn, booking ${must(cancelled.data, "cancellation", cancelled.error).status}`);

  const deleted = await visitor.client.DELETE("/api/v1/me/", { body: { password } });
  if (deleted.response.status !== 204) {
    fail("the account was not deleted", deleted.error);
  }
  const me = await visitor.client.GET("/api/v1/me/");
  const refreshed = await visitor.client.POST("/api/v1/auth/token/refresh/", {
    body: { refresh: must(visitor.refresh, "refresh token") },
  });
  if (me.response.status !== 401 || refreshed.response.status !== 401) {
    fail("the deleted account's tokens still work", [me.response.status, refreshed.response.status]);
  }
  const signedUpAgain = await new Session().client.POST("/api/v1/auth/register/", {
    body: { email, password: "a-new-account-passphrase" },
  });
  must(signedUpAgain.data, "sign-up again", signedUpAgain.error);
  step("account deleted: its tokens are refused and its address signs up again");
}

async function passwordChangeAndReset(): Promise<void> {
  const phone = new Session();
  const first = "a-first-passphrase-2026";
  const email = await signUp(phone, "password-journey", first);
  const tablet = new Session();
  await tablet.signIn(email, first);

  const second = "a-second-passphrase-2026";
  const changed = await phone.client.POST("/api/v1/auth/password/change/", {
    body: { current_password: first, new_password: second },
  });
  if (changed.response.status !== 204) {
    fail("the password was not changed", changed.error);
  }
  const stale = await tablet.client.GET("/api/v1/me/");
  if (stale.response.status !== 401) {
    fail("the other session outlived the password change", stale.response.status);
  }
  await phone.signIn(email, second);
  step("password changed: the other session ended, the new password signs in");

  const anonymous = new Session();
  const asked = await anonymous.client.POST("/api/v1/auth/password/reset/", { body: { email } });
  const unknown = await anonymous.client.POST("/api/v1/auth/password/reset/", {
    body: { email: `nobody-${Date.now()}@example.jp` },
  });
  const answer = must(asked.data, "reset answer", asked.error);
  if (asked.response.status !== 202 || must(unknown.data, "reset answer", unknown.error).detail !== answer.detail) {
    fail("a reset answers differently for an unknown address", [asked.data, unknown.data]);
  }
  await sleep(300);
  const link = resetLink(email);
  const uid = must(link.searchParams.get("uid"), "uid in the link");
  const token = must(link.searchParams.get("token"), "token in the link");
  step(`reset link emailed: ${link.origin}${link.pathname}`);

  const third = "a-third-passphrase-2026";
  const confirmed = await anonymous.client.POST("/api/v1/auth/password/reset/confirm/", {
    body: { uid, token, new_password: third },
  });
  if (confirmed.response.status !== 204) {
    fail("the reset link did not set the password", confirmed.error);
  }
  const reused = await anonymous.client.POST("/api/v1/auth/password/reset/confirm/", {
    body: { uid, token, new_password: "a-fourth-passphrase-2026" },
  });
  if (reused.response.status !== 400 || reused.error?.error.code !== "invalid_token") {
    fail("a used reset link was not refused as documented", reused.error);
  }
  const ended = await phone.client.GET("/api/v1/me/");
  if (ended.response.status !== 401) {
    fail("the session outlived the reset", ended.response.status);
  }
  await phone.signIn(email, third);
  step("password reset through the link: used once, sessions ended, the new password signs in");
}

async function journey(): Promise<void> {
  await deviceGrantAndDeletion();
  await passwordChangeAndReset();
}

journey().then(
  () => console.log("account journey complete"),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
