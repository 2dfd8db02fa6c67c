// The visitor's journey through the generated client, as the mobile app walks it: register, search near a
// station, read a facility, its availability, a quote, search again with the dates (each unit priced, with the
// estimate), book (with an Idempotency-Key, retried: the replay says so), poll the booking (304 with its ETag)
// and sync the list (updated_since), read the subsidy estimate, open a claim, add a receipt line (loaded back
// through its signed link, without the token), poll the claim (304), submit. Type-checked with `tsc --strict` and no casts;
// run against a served API: `node dist/journey.js http://127.0.0.1:8000`.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Schemas = components["schemas"];

const baseUrl = process.argv[2] ?? "http://127.0.0.1:8000";
const client = createClient<paths>({ baseUrl, headers: { "Accept-Language": "en" } });

let accessToken: string | null = null;
const bearer: Middleware = {
  onRequest({ request }) {
    if (accessToken !== null) {
      request.headers.set("Authorization", `Bearer ${accessToken}`);
    }
    return request;
  },
};
client.use(bearer);

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

/** The first run of `nights` consecutive bookable dates, as [check_in, check_out). */
function firstStay(days: Schemas["AvailabilityDay"][], nights: number): [string, string] | null {
  for (let start = 0; start + nights <= days.length; start += 1) {
    const run = days.slice(start, start + nights);
    const first = run[0];
    if (first !== undefined && run.every((day) => day.bookable)) {
      return [first.date, addDays(first.date, nights)];
    }
  }
  return null;
}

interface Candidate {
  facility: Schemas["FacilityDetail"];
  unit: Schemas["Unit"];
  checkIn: string;
  checkOut: string;
}

async function register(): Promise<void> {
  const email = `journey-${Date.now()}@example.jp`;
  const password = "a-long-journey-passphrase";
  const registered = await client.POST("/api/v1/auth/register/", {
    body: {
      email,
      password,
      full_name: "旅 花子",
      home_prefecture: "東京都",
      home_municipality: "千代田区",
      home_municipality_code: "131016",
    },
  });
  // The same 202 answers a new and a taken address (nothing tells whether an account exists).
  const accepted = must(registered.data, "sign-up", registered.error);
  if (registered.response.status !== 202 || accepted.email !== email) {
    fail("unexpected sign-up answer", accepted);
  }
  step(`signed up ${accepted.email}`);

  const tokens = await client.POST("/api/v1/auth/token/", { body: { email, password } });
  accessToken = must(tokens.data, "token", tokens.error).access;
  const me = await client.GET("/api/v1/me/");
  const user = must(me.data, "profile", me.error);
  if (user.role !== "visitor" || user.home_prefecture !== "東京都") {
    fail("unexpected account", user);
  }
  step(`signed in as ${user.email} (home ${user.home_prefecture} ${user.home_municipality_code})`);

  const refused = await client.POST("/api/v1/auth/token/", { body: { email, password: "not-the-password" } });
  if (refused.response.status !== 401 || refused.error?.error.code !== "no_active_account") {
    fail("a wrong password was not refused as documented", refused.error);
  }
}

async function findStay(stationCode: string): Promise<Candidate> {
  const search = await client.GET("/api/v1/facilities/", {
    params: { query: { near_station: stationCode, kind: ["trial_housing", "telework_hotel"], page_size: 20 } },
  });
  const page = must(search.data, "search results", search.error);
  step(`${page.count} lodging facilities near ${stationCode}`);
  const today = isoDate(new Date());
  for (const result of page.results) {
    const detail = await client.GET("/api/v1/facilities/{facility_id}/", {
      params: { path: { facility_id: result.id } },
    });
    const facility = must(detail.data, "facility", detail.error);
    for (const unit of facility.units) {
      if (unit.price_basis !== "night") {
        continue;
      }
      const calendar = await client.GET("/api/v1/units/{unit_id}/availability/", {
        params: { path: { unit_id: unit.id }, query: { from: addDays(today, 3), to: addDays(today, 60) } },
      });
      const availability = must(calendar.data, "availability", calendar.error);
      const closedButFree = availability.days.filter((day) => day.closed && day.free > 0);
      if (closedButFree.length > 0) {
        fail("closed dates show free units", closedButFree);
      }
      const stay = firstStay(availability.days, Math.max(2, availability.min_nights));
      if (stay !== null) {
        return { facility, unit, checkIn: stay[0], checkOut: stay[1] };
      }
    }
  }
  return fail(`nothing bookable near ${stationCode}`);
}

async function journey(): Promise<void> {
  await register();

  const stations = await client.GET("/api/v1/stations/");
  const station = must(
    must(stations.data, "stations", stations.error).results.find((landmark) => landmark.kind === "station"),
    "station",
  );
  step(`searching near ${station.name} (${station.code})`);

  const unknown = await client.GET("/api/v1/facilities/", { params: { query: { near_station: "nope" } } });
  if (unknown.error?.error.code !== "unknown_station" || unknown.error.error.message.includes("%(")) {
    fail("an unknown station was not refused as documented", unknown.error);
  }

  const { facility, unit, checkIn, checkOut } = await findStay(station.code);
  step(`${facility.name}: ${unit.name}, ${checkIn} to ${checkOut}, ${unit.price_yen} yen a ${unit.price_basis}`);

  const stayRequest = { unit: unit.id, check_in: checkIn, check_out: checkOut, adults: 1 };
  const quoted = await client.POST("/api/v1/quotes/", { body: stayRequest });
  const quote = must(quoted.data, "quote", quoted.error);
  step(`quote: ${quote.total_yen} yen; subsidy programme ${quote.reimbursement?.programme ?? "none"}`);
  // The server's clock, for updated_since below (the phone's may be off).
  const beforeBooking = new Date(must(quoted.response.headers.get("Date"), "Date header")).toISOString();

  // One dated search prices every result's units, with the estimate: no detail and quote per unit.
  const dated = await client.GET("/api/v1/facilities/", {
    params: { query: { near_station: station.code, check_in: checkIn, check_out: checkOut, adults: 1 } },
  });
  const datedPage = must(dated.data, "dated search", dated.error);
  const listed = must(datedPage.results.find((result) => result.id === facility.id), "facility in the dated search");
  const priced = must(listed.units?.find((row) => row.id === unit.id), "priced unit", listed.units);
  if (priced.total_yen !== quote.total_yen ||
      priced.total_reimbursable_yen !== (quote.reimbursement?.total_reimbursable_yen ?? null)) {
    fail("the dated search prices the unit unlike the quote", { priced, quote: quote.total_yen });
  }
  step(`dated search: ${datedPage.count} results, ${priced.name} ${priced.total_yen} yen, ` +
    `subsidy ${priced.total_reimbursable_yen ?? "none"} yen`);

  const idempotencyKey = `journey-${checkIn}-${Date.now()}`;
  const booked = await client.POST("/api/v1/bookings/", {
    params: { header: { "Idempotency-Key": idempotencyKey } },
    body: stayRequest,
  });
  const booking = must(booked.data, "booking", booked.error);
  const retried = await client.POST("/api/v1/bookings/", {
    params: { header: { "Idempotency-Key": idempotencyKey } },
    body: stayRequest,
  });
  if (must(retried.data, "booking on retry", retried.error).id !== booking.id) {
    fail("retrying with the same Idempotency-Key made another booking");
  }
  if (retried.response.headers.get("Idempotent-Replayed") !== "true" ||
      booked.response.headers.get("Idempotent-Replayed") !== null) {
    fail("only the replay is marked Idempotent-Replayed");
  }
  const bookingUrl = must(booked.response.headers.get("Location"), "the booking's Location");
  if (!bookingUrl.endsWith(`/api/v1/bookings/${booking.id}/`)) {
    fail("the booking's Location is not its URL", bookingUrl);
  }

  // Polling: the copy held stays current (304, no body) until the booking changes.
  const read = await client.GET("/api/v1/bookings/{booking_id}/", { params: { path: { booking_id: booking.id } } });
  const etag = must(read.response.headers.get("ETag"), "ETag");
  const polled = await client.GET("/api/v1/bookings/{booking_id}/", {
    params: { path: { booking_id: booking.id }, header: { "If-None-Match": etag } },
  });
  if (polled.response.status !== 304 || polled.data !== undefined) {
    fail("an unchanged booking was sent again", polled.response.status);
  }
  step(`booking ${booking.id} polled: 304 Not Modified for ${etag}`);

  // Offline sync: what changed since before the booking, and what left a filtered list.
  const synced = await client.GET("/api/v1/bookings/", { params: { query: { updated_since: beforeBooking } } });
  const changes = must(synced.data, "bookings changed", synced.error);
  if (!changes.results.some((row) => row.id === booking.id) || changes.removed.length !== 0) {
    fail("updated_since does not list the new booking", changes);
  }
  const cancelledOnly = await client.GET("/api/v1/bookings/", {
    params: { query: { updated_since: beforeBooking, status: "cancelled" } },
  });
  if (!must(cancelledOnly.data, "cancelled bookings changed", cancelledOnly.error).removed.includes(booking.id)) {
    fail("a booking outside the filter is not reported in removed", cancelledOnly.data);
  }
  step(`synced since ${beforeBooking}: ${changes.count} changed`);
  if (booking.total_yen !== quote.total_yen) {
    fail("the booking's total differs from the quote", { booking: booking.total_yen, quote: quote.total_yen });
  }
  const payment = booking.payment;
  step(`booking ${booking.id} is ${booking.status}; payment ${payment?.provider ?? "none"}, ` +
    `client secret ${payment?.client_secret ?? "null"}`);

  const estimated = await client.GET("/api/v1/reimbursement-estimates/{booking_id}/", {
    params: { path: { booking_id: booking.id } },
  });
  const estimate = must(estimated.data, "estimate", estimated.error);
  if (!estimate.eligible) {
    fail("the booking is not eligible for the subsidy", estimate.reasons);
  }
  step(`estimate: ${estimate.eligible_days} eligible days, lodging ${estimate.lodging_reimbursable_yen} yen`);

  const opened = await client.POST("/api/v1/claims/", { body: { booking: booking.id } });
  const claim = must(opened.data, "claim", opened.error);
  step(`claim ${claim.id} is ${claim.status}`);

  const pdf = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
  const added = await client.POST("/api/v1/claims/{claim_id}/lines/", {
    params: { path: { claim_id: claim.id } },
    body: {
      category: "taxi",
      date: checkIn,
      amount_yen: 1800,
      persons: 1,
      receipt: new Blob([pdf], { type: "application/pdf" }),
    },
    bodySerializer(body) {
      const form = new FormData();
      form.append("category", body.category);
      form.append("date", body.date);
      form.append("amount_yen", String(body.amount_yen));
      form.append("persons", String(body.persons ?? 1));
      if (body.receipt) form.append("receipt", body.receipt, "taxi-receipt.pdf");
      return form;
    },
  });
  const line = must(added.data, "expense line", added.error);
  // The receipt's signed link loads without the bearer token (as an image component would load it).
  const receiptUrl = must(line.receipt_url, "receipt_url");
  const image = await fetch(new URL(new URL(receiptUrl).pathname + new URL(receiptUrl).search, baseUrl));
  if (image.status !== 200 || (await image.text()) !== pdf) {
    fail("the receipt's signed link did not load it", image.status);
  }
  // Polling the claim: 304 while nothing changed.
  const claimRead = await client.GET("/api/v1/claims/{claim_id}/", { params: { path: { claim_id: claim.id } } });
  const claimTag = must(claimRead.response.headers.get("ETag"), "the claim's ETag");
  const claimPolled = await client.GET("/api/v1/claims/{claim_id}/", {
    params: { path: { claim_id: claim.id }, header: { "If-None-Match": claimTag } },
  });
  if (claimPolled.response.status !== 304) {
    fail("an unchanged claim was sent again", claimPolled.response.status);
  }
  // A stay's claim summarises its booking (a monthly programme's claim has none).
  if (must(claimRead.data, "claim", claimRead.error).booking_summary?.id !== booking.id) {
    fail("the claim's booking summary names another booking");
  }
  step(`claim ${claim.id}: receipt loaded by its signed link, polled 304 for ${claimTag}`);
  const location = must(added.response.headers.get("Location"), "Location header");
  if (!location.endsWith(`/api/v1/claims/${claim.id}/lines/${line.id}/`)) {
    fail("the new line's Location is not its URL", location);
  }
  step(`line ${line.id}: ${line.category} ${line.amount_yen} yen, reimbursable ${line.reimbursable_yen} yen`);

  const submitted = await client.POST("/api/v1/claims/{claim_id}/submit/", {
    params: { path: { claim_id: claim.id } },
  });
  const result = must(submitted.data, "submitted claim", submitted.error);
  if (result.status !== "submitted" || result.submitted_at === null) {
    fail("the claim was not submitted", result);
  }
  step(`claim ${result.id} submitted: ${result.total_reimbursable_yen} yen for ${result.eligible_dates.join(", ")}`);
}

journey().then(
  () => console.log("journey complete"),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
