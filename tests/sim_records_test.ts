/**
 * Conversation records shaped like the real API's, with what analyst tables read: ANI/DNIS,
 * IVR/ACD/agent participants, queue and user ids, wrap-up codes, disconnect types, transfers,
 * abandoned calls, and metrics whose values add up.
 */
import { startSimulator } from "../testing.ts";
import { assert, assertEquals } from "./_assert.ts";
import { type Json, simCall, simToken, simWalk } from "./_sim_fetch.ts";

const QUERY = "/api/v2/analytics/conversations/details/query";
const ms = (iso: string) => Date.parse(iso);
const span = (seg: Json) => ms(seg.segmentEnd) - ms(seg.segmentStart);

function metrics(session: Json): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of session.metrics ?? []) {
    assertEquals(Object.keys(m), ["name", "value", "emitDate"]);
    assert(Number.isInteger(m.value) && m.value >= 0, `${m.name}=${m.value}`);
    assert(!(m.name in out), `${m.name} twice`);
    out[m.name] = m.value;
  }
  return out;
}

const sum = (segments: Json[], type: string) =>
  segments.filter((s) => s.segmentType === type).reduce((n, s) => n + span(s), 0);

Deno.test("startSimulator records carry queues, agents, wrap-up codes, ANI/DNIS and disconnect types, and their metrics add up", async () => {
  await using sim = await startSimulator({ conversations: 6000, seed: 17 });
  const auth = await simToken(sim);
  const conversations: Json[] = [];
  for (let page = 1; page < 100; page++) {
    const { json } = await simCall(sim, auth, "POST", QUERY, {
      interval: "2026-01-12T00:00:00Z/2026-01-14T00:00:00Z",
      paging: { pageSize: 100, pageNumber: page },
    });
    if (!json.conversations) break;
    conversations.push(...json.conversations);
  }
  assert(conversations.length > 300, `${conversations.length} conversations`);
  const seen = { answeredVoice: 0, abandoned: 0, transferred: 0, held: 0, outbound: 0 };
  for (const c of conversations) {
    const id = c.conversationId;
    for (const d of c.divisionIds) assert(sim.ids.divisions.includes(d), id);
    const parts: Json[] = c.participants;
    const sessions = parts.map((p) => p.sessions[0]);
    const media = sessions[0].mediaType;
    const all = sessions.flatMap((s) => s.segments);
    // Segments lie within the conversation, and the last one ends it.
    for (const seg of all) {
      assert(seg.segmentStart >= c.conversationStart && seg.segmentEnd <= c.conversationEnd, id);
    }
    assertEquals(Math.max(...all.map((s) => ms(s.segmentEnd))), ms(c.conversationEnd), id);
    if (media === "voice") {
      for (const s of sessions) assert(/^tel:\+\d+$/.test(s.ani) && /^tel:\+\d+$/.test(s.dnis), id);
    }
    // The customer's (or external party's) segment ends with a disconnect type.
    assert(["endpoint", "peer"].includes(parts[0].sessions[0].segments.at(-1).disconnectType), id);
    if (c.originatingDirection === "outbound") {
      seen.outbound++;
      assertEquals(parts.map((p) => p.purpose).sort(), ["agent", "external"], id);
    }
    const acds = parts.filter((p) => p.purpose === "acd");
    const agents = parts.filter((p) => p.purpose === "agent");
    if (c.originatingDirection === "inbound" && agents.length === 0 && acds.length > 0) {
      seen.abandoned++;
      const m = metrics(acds[0].sessions[0]);
      assertEquals(m.tAbandon, m.tAcd, id);
      assertEquals(m.tWait, m.tAcd, id);
      assertEquals(m.tAbandon, span(acds[0].sessions[0].segments[0]), id);
      assertEquals(m.nOffered, 1, id);
    }
    for (const [k, agent] of agents.entries()) {
      const s = agent.sessions[0];
      assert(sim.ids.users.includes(agent.userId), id);
      const m = metrics(s);
      const wrap = s.segments.at(-1);
      assertEquals(wrap.segmentType, "wrapup", id);
      assert(sim.ids.wrapUpCodes.includes(wrap.wrapUpCode), `${id}: unknown wrap-up code`);
      assert(sim.ids.queues.includes(wrap.queueId), id);
      // tHandle = tTalkComplete + tHeldComplete + tAcw, each the length of its segments.
      assertEquals(m.tTalkComplete, sum(s.segments, "interact"), id);
      assertEquals(m.tHeldComplete ?? 0, sum(s.segments, "hold"), id);
      assertEquals(m.tAcw, span(wrap), id);
      assertEquals(m.tHandle, m.tTalkComplete + (m.tHeldComplete ?? 0) + m.tAcw, id);
      if (m.tHeldComplete) seen.held++;
      const last = s.segments.filter((x: Json) => x.segmentType === "interact").at(-1);
      if (c.originatingDirection !== "inbound") continue;
      // Inbound: answered from a queue, after alerting.
      const acd = acds[k].sessions[0];
      const q = metrics(acd);
      assertEquals(acd.segments[0].queueId, wrap.queueId, id);
      assertEquals(m.tAlert, sum(s.segments, "alert"), id);
      assertEquals(m.tAnswered, q.tAcd, id);
      assertEquals(q.tWait, q.tAcd, id);
      assertEquals(q.tAcd, span(acd.segments[0]), id);
      assert(m.tAlert <= m.tAnswered, id);
      assertEquals(acd.segments[0].disconnectType, "transfer", id);
      if (k < agents.length - 1) {
        seen.transferred++;
        assertEquals(m.nTransferred, 1, id);
        assertEquals(last.disconnectType, "transfer", id);
      } else {
        assertEquals(m.nTransferred, undefined, id);
        assert(["peer", "client"].includes(last.disconnectType), id);
      }
      if (media === "voice" && k === 0) seen.answeredVoice++;
    }
  }
  for (const [what, n] of Object.entries(seen)) assert(n >= 5, `only ${n} ${what}`);
});

Deno.test("startSimulator wrap-up codes, divisions, groups and skills listings page by number and their ids match the records", async () => {
  await using sim = await startSimulator({
    users: 12,
    groups: 7,
    skills: 11,
    wrapUpCodes: 9,
    conversations: 50,
  });
  const auth = await simToken(sim);
  const walk = async (path: string) => {
    const { pages, entities, status } = await simWalk(sim, auth, `${path}?pageSize=4`, 20);
    assertEquals(status, 200, path);
    for (const json of pages) {
      for (const field of ["pageSize", "pageNumber", "total", "pageCount", "firstUri", "lastUri"]) {
        assert(field in json, `${path} lacks '${field}'`);
      }
    }
    return entities;
  };
  const cases: [string, readonly string[], string[]][] = [
    ["/api/v2/groups", sim.ids.groups, ["name", "memberCount", "state", "type", "visibility"]],
    ["/api/v2/routing/skills", sim.ids.skills, ["name", "state", "dateModified"]],
    ["/api/v2/routing/wrapupcodes", sim.ids.wrapUpCodes, ["name", "division", "dateCreated"]],
    ["/api/v2/authorization/divisions", sim.ids.divisions, ["name", "homeDivision"]],
  ];
  for (const [path, ids, fields] of cases) {
    const entities = await walk(path);
    assertEquals(entities.map((e) => e.id), [...ids], path);
    for (const e of entities) {
      assertEquals(e.selfUri, `${path}/${e.id}`, path);
      for (const f of fields) assert(f in e, `${path} entity lacks '${f}'`);
    }
  }
  assertEquals([sim.ids.groups.length, sim.ids.skills.length, sim.ids.wrapUpCodes.length], [
    7,
    11,
    9,
  ]);
  const named = await simCall(sim, auth, "GET", "/api/v2/routing/wrapupcodes?name=Resolved");
  assertEquals(named.json.entities.map((e: Json) => e.name), ["Resolved"]);
  const prefix = await simCall(sim, auth, "GET", "/api/v2/routing/skills?name=span");
  assertEquals(prefix.json.entities.map((e: Json) => e.name), ["Spanish"]);
  // Users and queues name their division by an id the divisions listing has.
  const users = await simCall(sim, auth, "GET", "/api/v2/users?pageSize=12");
  for (const u of users.json.entities) assert(sim.ids.divisions.includes(u.division.id));
});
