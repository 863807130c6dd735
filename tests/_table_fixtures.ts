/**
 * Hand-written conversation records for the table tests, for the cases the simulator does not
 * produce (yet): a live call transferred between two queues, an abandoned call, an outbound call
 * whose agent session carries the org's number first, and records with missing or malformed
 * fields.
 *
 * @module
 */

const m = (name: string, value: unknown) => ({ name, value, emitDate: "2026-01-05T10:00:00.000Z" });

/**
 * A live inbound voice call: IVR, queue Q1, agent A (talk, hold, transfer to Q2, wrap-up W1),
 * queue Q2, agent B still talking (open segment, no `conversationEnd`).
 */
export const LIVE_TRANSFER = {
  conversationId: "conv-live",
  conversationStart: "2026-01-05T10:00:00.000Z",
  originatingDirection: "inbound",
  divisionIds: ["div-1", "div-1"],
  participants: [
    {
      participantId: "p-cust",
      participantName: "Alex Carter",
      purpose: "customer",
      sessions: [{
        sessionId: "s-cust",
        mediaType: "voice",
        direction: "inbound",
        ani: "tel:+15551230000",
        dnis: "tel:+18005550100",
        segments: [{ segmentStart: "2026-01-05T10:00:00.000Z", segmentType: "interact" }],
      }],
    },
    {
      participantId: "p-ivr",
      participantName: "Main IVR",
      purpose: "ivr",
      sessions: [{
        sessionId: "s-ivr",
        mediaType: "voice",
        ani: "tel:+15551230000",
        dnis: "tel:+18005550100",
        segments: [{
          segmentStart: "2026-01-05T10:00:00.000Z",
          segmentEnd: "2026-01-05T10:00:30.000Z",
          segmentType: "ivr",
          disconnectType: "transfer",
        }],
        metrics: [m("tIvr", 30_000)],
      }],
    },
    {
      participantId: "p-q1",
      participantName: "Billing",
      purpose: "acd",
      sessions: [{
        sessionId: "s-q1",
        mediaType: "voice",
        segments: [{
          segmentStart: "2026-01-05T10:00:30.000Z",
          segmentEnd: "2026-01-05T10:01:00.000Z",
          segmentType: "interact",
          queueId: "Q1",
          disconnectType: "transfer",
        }],
        metrics: [m("nOffered", 1), m("tAcd", 30_000)],
      }],
    },
    {
      participantId: "p-a",
      participantName: "Ava Smith",
      purpose: "agent",
      userId: "A",
      sessions: [{
        sessionId: "s-a",
        mediaType: "voice",
        segments: [
          {
            segmentStart: "2026-01-05T10:01:00.000Z",
            segmentEnd: "2026-01-05T10:01:05.000Z",
            segmentType: "alert",
            queueId: "Q1",
          },
          {
            segmentStart: "2026-01-05T10:01:05.000Z",
            segmentEnd: "2026-01-05T10:03:05.000Z",
            segmentType: "interact",
            queueId: "Q1",
          },
          {
            segmentStart: "2026-01-05T10:03:05.000Z",
            segmentEnd: "2026-01-05T10:03:35.000Z",
            segmentType: "hold",
            queueId: "Q1",
          },
          {
            segmentStart: "2026-01-05T10:03:35.000Z",
            segmentEnd: "2026-01-05T10:04:00.000Z",
            segmentType: "interact",
            queueId: "Q1",
            disconnectType: "transfer",
          },
          {
            segmentStart: "2026-01-05T10:04:00.000Z",
            segmentEnd: "2026-01-05T10:04:45.500Z",
            segmentType: "wrapup",
            queueId: "Q1",
            wrapUpCode: "W1",
          },
        ],
        metrics: [
          m("tAlert", 5_000),
          m("tAnswered", 65_000),
          m("tTalk", 120_000),
          m("tTalk", 25_000),
          m("tTalkComplete", 145_000),
          m("tHeld", 30_000),
          m("tHeldComplete", 30_000),
          m("tAcw", 45_500),
          m("tHandle", 220_500),
          m("nTransferred", 1),
        ],
      }],
    },
    {
      participantId: "p-q2",
      participantName: "Retention",
      purpose: "acd",
      sessions: [{
        sessionId: "s-q2",
        mediaType: "voice",
        segments: [{
          segmentStart: "2026-01-05T10:04:00.000Z",
          segmentEnd: "2026-01-05T10:04:20.000Z",
          segmentType: "interact",
          queueId: "Q2",
        }],
        metrics: [m("nOffered", 1), m("tAcd", 20_000)],
      }],
    },
    {
      participantId: "p-b",
      participantName: "Liam Garcia",
      purpose: "agent",
      userId: "B",
      sessions: [{
        sessionId: "s-b",
        mediaType: "voice",
        segments: [
          {
            segmentStart: "2026-01-05T10:04:20.000Z",
            segmentEnd: "2026-01-05T10:04:28.000Z",
            segmentType: "alert",
            queueId: "Q2",
          },
          { segmentStart: "2026-01-05T10:04:28.000Z", segmentType: "interact", queueId: "Q2" },
        ],
        metrics: [m("tAlert", 8_000), m("tAnswered", 28_000), m("tTalk", 1_000)],
      }],
    },
  ],
};

/** An inbound chat abandoned in queue: the customer left (`client`) after 42.25 s. */
export const ABANDONED = {
  conversationId: "conv-abandoned",
  conversationStart: "2026-01-05T11:00:00.000Z",
  conversationEnd: "2026-01-05T11:00:42.250Z",
  originatingDirection: "inbound",
  participants: [
    {
      participantId: "p1",
      purpose: "customer",
      sessions: [{
        mediaType: "chat",
        segments: [{
          segmentStart: "2026-01-05T11:00:00.000Z",
          segmentEnd: "2026-01-05T11:00:42.250Z",
          segmentType: "interact",
          disconnectType: "client",
        }],
      }],
    },
    {
      participantId: "p2",
      purpose: "acd",
      sessions: [{
        mediaType: "chat",
        segments: [{
          segmentStart: "2026-01-05T11:00:00.000Z",
          segmentEnd: "2026-01-05T11:00:42.250Z",
          segmentType: "interact",
          queueId: "Q3",
          disconnectType: "peer",
        }],
        metrics: [m("nOffered", 1), m("tAbandon", 42_250), m("tAcd", 42_250)],
      }],
    },
  ],
};

/**
 * An outbound call: the agent (first participant) dials; the external party comes second. ANI and
 * DNIS come from the external side; handle includes dialing and contacting.
 */
export const OUTBOUND = {
  conversationId: "conv-out",
  conversationStart: "2026-01-05T12:00:00.000Z",
  conversationEnd: "2026-01-05T12:02:00.000Z",
  originatingDirection: "outbound",
  participants: [
    {
      participantId: "p-agent",
      purpose: "agent",
      userId: "C",
      sessions: [{
        mediaType: "voice",
        ani: "tel:+18005550199",
        dnis: "tel:+442035550000",
        segments: [{
          segmentStart: "2026-01-05T12:00:00.000Z",
          segmentEnd: "2026-01-05T12:02:00.000Z",
          segmentType: "interact",
          wrapUpCode: "W2",
        }],
        metrics: [
          m("tDialing", 4_000),
          m("tContacting", 6_000),
          m("tTalkComplete", 100_000),
          m("tAcw", 10_000),
          m("tHandle", 120_000),
          m("nOutbound", 1),
        ],
      }],
    },
    {
      participantId: "p-ext",
      purpose: "external",
      sessions: [{
        mediaType: "voice",
        ani: "tel:+18005550100",
        dnis: "tel:+442035550123",
        segments: [{
          segmentStart: "2026-01-05T12:00:10.000Z",
          segmentEnd: "2026-01-05T12:01:50.000Z",
          segmentType: "interact",
          disconnectType: "peer",
        }],
      }],
    },
  ],
};

/** Records with fields missing or of the wrong type: every table must cope, never throw. */
export const MALFORMED: unknown[] = [
  { conversationId: "conv-bare" },
  {
    conversationId: "conv-odd",
    conversationStart: "not a date",
    conversationEnd: "2026-01-05T12:00:00.000Z",
    participants: [
      "not an object",
      null,
      {
        purpose: "agent",
        userId: 42,
        sessions: [{
          mediaType: "voice",
          metrics: [
            { name: "tHandle", value: "12000" },
            { name: "tAcw", value: Number.NaN },
            { value: 5 },
            m("nOffered", 2),
          ],
          segments: "none",
        }, "junk"],
      },
    ],
  },
];
