// The flow of a bulk import script and a roster reader, through openapi-fetch and the
// thin layer, against a live server: ROSTER_URL and ROSTER_ACCOUNT_KEY (never skipped).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";

import {
  BulkError,
  NotFound,
  objects,
  Roster,
  Unprocessable,
  type Group,
  type MembershipNew,
  type User,
  type UserNew,
} from "../src/index.js";

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: these tests run against a live Roster server`);
  return value;
}

const baseUrl = env("ROSTER_URL");
const account = new Roster({ baseUrl, key: env("ROSTER_ACCOUNT_KEY") });

/** A new instance and a client with an admin key of it; the instance is deleted after. */
async function tenant(t: { after: (fn: () => Promise<void>) => void }): Promise<[Roster, string]> {
  const instance = `ts-${randomBytes(6).toString("hex")}`;
  await account.ok(
    account.client.POST("/instances", { body: { instance: { name: instance, description: "clients/typescript tests" } } }),
  );
  t.after(async () => {
    await account.ok(account.client.DELETE("/instances/{instance}", { params: { path: { instance } } }));
  });
  const made = await account.ok(
    account.client.POST("/instances/{instance}/api_keys", {
      params: { path: { instance } },
      body: { api_key: { role: "admin", description: "tests" } },
    }),
  );
  const key = objects(made)[0]?.key;
  assert.ok(key, "the create answer shows the secret");
  return [new Roster({ baseUrl, key }), instance];
}

test("the flow of an import and a reader", async (t) => {
  const [roster, instance] = await tenant(t);
  const { client } = roster;
  const path = { instance };

  // 150 users: two requests (100 and 50), each with an Idempotency-Key.
  const users: UserNew[] = Array.from({ length: 150 }, (_, i) => ({
    username: `user${String(i).padStart(3, "0")}`,
    name: `User ${i}`,
  }));
  const made = await roster.bulk(users, (chunk, key) =>
    client.POST("/instances/{instance}/users", {
      params: { path, header: { "Idempotency-Key": key } },
      body: { users: chunk },
    }),
  );
  assert.deepEqual(made.map((e) => e.results.length), [100, 50]);
  const created: User[] = made.flatMap((e) => objects(e));
  assert.deepEqual(created.map((u) => u.username), users.map((u) => u.username));

  const groups = await roster.ok(
    client.POST("/instances/{instance}/groups", {
      params: { path },
      body: { groups: [{ name: "witchers" }, { name: "sorceresses", description: "Lodge" }] },
    }),
  );
  const [witchers, sorceresses] = objects(groups);
  assert.ok(witchers && sorceresses);

  // A bulk of memberships, 150 + 30 in two requests, with the users and the group of
  // each sideloaded: include as openapi-fetch sends it by default (include=user&include=group).
  const memberships: MembershipNew[] = [
    ...created.map((u) => ({ user_id: u.id, group_id: witchers.id })),
    ...created.slice(0, 30).map((u) => ({
      user_id: u.id,
      group_id: sorceresses.id,
      role: "admin" as const,
      configurable_permissions: { can_manage_members: false },
    })),
  ];
  const envelopes = await roster.bulk(memberships, (chunk, key) =>
    client.POST("/instances/{instance}/memberships", {
      params: { path, query: { include: ["user", "group"] }, header: { "Idempotency-Key": key } },
      body: { memberships: chunk },
    }),
  );
  assert.deepEqual(envelopes.map((e) => e.results.length), [100, 80]);
  for (const envelope of envelopes) {
    assert.equal(envelope.meta.created, envelope.results.length);
    assert.ok(envelope.users && envelope.groups, "sideloaded");
    for (const m of objects(envelope)) {
      const user: User | undefined = envelope.users[m.user_id];
      const group: Group | undefined = envelope.groups[m.group_id];
      assert.ok(user && group);
      assert.equal(user.id, m.user_id);
      if (group.name === "sorceresses") {
        assert.equal(m.role, "admin");
        assert.deepEqual(m.configurable_permissions, { can_manage_members: false });
      } else {
        assert.equal(m.role, "member");
        assert.deepEqual(m.configurable_permissions, {});
      }
    }
  }

  // Cursor pages to the end: every user once, in ID order; the group's members.
  const pages = [];
  for await (const page of roster.pages((cursor) =>
    client.GET("/instances/{instance}/users", { params: { path, query: { per_page: 40, cursor } } }),
  )) {
    pages.push(page);
  }
  assert.deepEqual(pages.map((p) => p.results.length), [40, 40, 40, 30]);
  assert.equal(pages.at(-1)?.meta.next_cursor, null);
  const listed = pages.flatMap((p) => objects(p).map((u) => u.id));
  assert.deepEqual(listed, created.map((u) => u.id).sort((a, b) => Number(a) - Number(b)));
  let members = 0;
  for await (const m of roster.each((cursor) =>
    client.GET("/instances/{instance}/groups/{group_id}/users", {
      params: { path: { instance, group_id: witchers.id }, query: { per_page: 200, cursor } },
    }),
  )) {
    assert.equal(m.group_id, witchers.id);
    members++;
  }
  assert.equal(members, 150);

  // fields= answers the Fields envelope: id and what was asked, read with partial().
  const some = await roster.partial(
    client.GET("/instances/{instance}/users", { params: { path, query: { fields: ["username"], per_page: 5 } } }),
  );
  const first = objects(some)[0];
  assert.ok(first);
  assert.deepEqual(first, { id: first.id, username: "user000" });
  await assert.rejects(
    roster.ok(client.GET("/instances/{instance}/users", { params: { path, query: { fields: ["username"] } } })),
    TypeError,
  );
  const whole = await roster.ok(client.GET("/instances/{instance}/users/{id}", { params: { path: { instance, id: first.id } } }));
  assert.equal(objects(whole)[0]?.name, "User 0");

  // PATCH, then DELETE: the user is gone, with its membership.
  const one = { instance, id: first.id };
  const changed = await roster.ok(
    client.PATCH("/instances/{instance}/users/{id}", {
      params: { path: one },
      body: { user: { name: "Geralt of Rivia", email: "geralt@kaer.morhen" } },
    }),
  );
  const geralt = objects(changed)[0];
  assert.ok(geralt);
  assert.deepEqual([geralt.name, geralt.email, geralt.username], ["Geralt of Rivia", "geralt@kaer.morhen", "user000"]);
  assert.ok(geralt.updated_at >= geralt.created_at);
  assert.equal(await roster.ok(client.DELETE("/instances/{instance}/users/{id}", { params: { path: one } })), undefined);
  await assert.rejects(roster.ok(client.GET("/instances/{instance}/users/{id}", { params: { path: one } })), (e) => {
    assert.ok(e instanceof NotFound);
    assert.equal(e.type, "not_found");
    return true;
  });

  // A duplicate is a typed 422 naming the field.
  await assert.rejects(
    roster.ok(client.POST("/instances/{instance}/users", { params: { path }, body: { user: { username: "user001" } } })),
    (e) => {
      assert.ok(e instanceof Unprocessable);
      assert.equal(e.status, 422);
      assert.deepEqual([e.type, e.problem.field], ["duplicate", "username"]);
      return true;
    },
  );
});

test("a refused chunk says which objects, and a rerun finishes", async (t) => {
  const [roster, instance] = await tenant(t);
  const { client } = roster;
  const path = { instance };
  await roster.ok(client.POST("/instances/{instance}/users", { params: { path }, body: { user: { username: "taken" } } }));
  const users: UserNew[] = Array.from({ length: 120 }, (_, i) => ({ username: `u${i}` }));
  users[110] = { username: "taken" };
  users[115] = { username: "not valid!" };
  const send = (chunk: UserNew[], key: string) =>
    client.POST("/instances/{instance}/users", { params: { path, header: { "Idempotency-Key": key } }, body: { users: chunk } });

  const refused = await roster.bulk(users, send).then(
    () => assert.fail("the bulk was accepted"),
    (e: unknown) => e,
  );
  assert.ok(refused instanceof BulkError);
  assert.equal(refused.offset, 100);
  assert.equal(refused.done.length, 1);
  assert.deepEqual(
    refused.problems.map((p) => [p.index, p.field, p.type]),
    [
      [110, "username", "duplicate"],
      [115, "username", "invalid"],
    ],
  );
  assert.equal(refused.cause.problems[0]?.index, 10);

  // Fixed and run again: the first request is replayed, the second sent; once more,
  // both are replayed. Nothing is made twice.
  users[110] = { username: "u110" };
  users[115] = { username: "u115" };
  const ids = (envelopes: { results: { id: string }[] }[]) => envelopes.map((e) => e.results.map((r) => r.id));
  const first = await roster.bulk(users, send);
  assert.deepEqual(ids(first).slice(0, 1), ids(refused.done as { results: { id: string }[] }[]));
  const again = await roster.bulk(users, send);
  assert.deepEqual(ids(again), ids(first));
  let count = 0;
  for await (const _ of roster.each((cursor) =>
    client.GET("/instances/{instance}/users", { params: { path, query: { per_page: 200, cursor } } }),
  )) {
    count++;
  }
  assert.equal(count, 121);
  // Under a key of its own, the same objects are sent again: duplicates now.
  await assert.rejects(roster.bulk(users.slice(0, 2), send, { key: "run-2" }), (e) => {
    assert.ok(e instanceof BulkError);
    assert.deepEqual(e.problems.map((p) => [p.index, p.type]), [
      [0, "duplicate"],
      [1, "duplicate"],
    ]);
    return true;
  });
});

test("arrays go repeated or comma-separated alike", async (t) => {
  const [roster, instance] = await tenant(t);
  const { client } = roster;
  const path = { instance };
  const made = await roster.ok(
    client.POST("/instances/{instance}/users", { params: { path }, body: { users: [{ username: "a" }, { username: "b" }, { username: "c" }] } }),
  );
  const [a, , c] = objects(made).map((u) => u.id);
  assert.ok(a && c);
  const repeated = await roster.ok(client.GET("/instances/{instance}/users", { params: { path, query: { ids: [c, a] } } }));
  const commas = await roster.ok(
    client.GET("/instances/{instance}/users", {
      params: { path, query: { ids: [c, a] } },
      querySerializer: { array: { style: "form", explode: false } },
    }),
  );
  assert.deepEqual(objects(repeated).map((u) => u.username), ["a", "c"]);
  assert.deepEqual(objects(commas), objects(repeated));
});

test("the username pattern is what the server accepts", async (t) => {
  const [roster, instance] = await tenant(t);
  const doc = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as {
    components: { schemas: { UserNew: { properties: { username: { pattern: string } } } } };
  };
  // JSON Schema reads patterns as ECMA-262 with the u flag.
  const pattern = new RegExp(doc.components.schemas.UserNew.properties.username.pattern, "u");
  const samples = "aZ09.@+-_ªµºÀöǅʰ٣ⅫⅯ½²㊿〇्ͅा𠀀𝐀𝟘🄰😀€ $!#/\\ ‿·\u200d";
  for (const c of samples) {
    const username = `a${c}`;
    const matches = pattern.test(username);
    const answer = await roster.client.POST("/instances/{instance}/users", {
      params: { path: { instance } },
      body: { user: { username } },
    });
    const accepted = answer.response.status === 201;
    if (!accepted) assert.equal(answer.error?.errors[0]?.field, "username");
    assert.equal(matches, accepted, `U+${c.codePointAt(0)?.toString(16)} ${c}: pattern ${matches}, server ${accepted}`);
  }
});
