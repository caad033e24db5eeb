-- Every envelope address of a recipient row has its own state: servers answer per address (a To refused,
-- a Cc deferred), and only the addresses still due go into a retry. The row's status rolls them up.
-- seq: the address's place in the envelope (To, Cc, Bcc order, from 1); kind: to | cc | bcc;
-- status: pending | deferred | sent | failed | unknown; reply_*: the reply that decided it.
CREATE TABLE IF NOT EXISTS addresses (
    recipient_id      BIGINT        NOT NULL REFERENCES recipients (id),
    seq               INT           NOT NULL,
    kind              VARCHAR(3)    NOT NULL,
    address           VARCHAR(320)  NOT NULL,
    status            VARCHAR(10)   NOT NULL,
    attempts          INT           NOT NULL DEFAULT 0,
    first_attempt_at  TIMESTAMP WITH TIME ZONE,
    last_attempt_at   TIMESTAMP WITH TIME ZONE,
    not_before        TIMESTAMP WITH TIME ZONE,
    reply_code        INT,
    reply_enhanced    VARCHAR(16),
    reply_text        VARCHAR(4000),
    failure           VARCHAR(4000),
    PRIMARY KEY (recipient_id, seq)
);

-- The addresses an attempt carried (their seq, space-separated): what a crash leaves unknown.
ALTER TABLE attempts ADD COLUMN IF NOT EXISTS addresses VARCHAR(8000);

-- False for a row planned before addresses were stored, while it is unfinished: only its To addresses
-- were known to the store; the first send completes its envelope from the row's snapshot.
ALTER TABLE recipients ADD COLUMN IF NOT EXISTS envelope_complete BOOLEAN DEFAULT TRUE NOT NULL;
