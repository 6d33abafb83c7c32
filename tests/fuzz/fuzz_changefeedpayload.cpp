// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
//
// libFuzzer target for Core::ChangeFeed::decodePayload: the NOTIFY payloads on `csdesk_changes`, which other
// desktops send and any client with access to the database can forge. Never crashes (ASan/UBSan), and what it
// accepts is a batch the feed could have made: topics within ChangeTopic, the mask covering every listed change, no
// changes listed in an overflowed batch. That batch, encoded again, decodes to itself (or, when it no longer fits in
// a NOTIFY, to an overflowed batch with the same topics), and encoding is stable from then on. Built with libFuzzer
// by tests/fuzz/CMakeLists.txt; the seed corpus is replayed in every build by fuzz_changefeedpayload_replay
// (tests/unit/CMakeLists.txt).
#include <cstdint>

#include <QByteArray>
#include <QString>

#include "changefeed.h"
#include "fuzzcheck.h"

using Core::ChangeBatch;
using Core::ChangeFeed;

namespace {

void checkBatch(const ChangeBatch &batch)
{
    FUZZ_CHECK((batch.topicMask & ~Core::kAllTopicsMask) == 0);
    FUZZ_CHECK(!batch.overflowed || batch.changes.isEmpty());
    for (const Core::Change &change : batch.changes) {
        FUZZ_CHECK(change.topic < Core::ChangeTopic::TopicCount); // quint8: never negative
        FUZZ_CHECK(batch.topicMask & Core::topicBit(change.topic));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray payload(reinterpret_cast<const char *>(data), qsizetype(size));
    QString origin;
    ChangeBatch batch;
    if (!ChangeFeed::decodePayload(payload, &origin, &batch))
        return 0;
    checkBatch(batch);

    const QByteArray again = ChangeFeed::encodePayload(origin, batch);
    // An overflowed payload carries the origin and the mask only; our origins are UUIDs, a forged one may be longer.
    if (origin.size() <= 64)
        FUZZ_CHECK(again.size() <= ChangeFeed::kMaxPayloadBytes);
    QString origin2;
    ChangeBatch batch2;
    FUZZ_CHECK(ChangeFeed::decodePayload(again, &origin2, &batch2));
    checkBatch(batch2);
    FUZZ_CHECK(origin2 == origin);
    FUZZ_CHECK(batch2.topicMask == batch.topicMask);
    if (batch2.overflowed && !batch.overflowed) {
        // Too many changes for one NOTIFY (or a forged origin too long for one): sent as "many changed" with the same
        // topics.
        FUZZ_CHECK(!batch.changes.isEmpty() || origin.size() > 64);
    } else {
        FUZZ_CHECK(batch2.overflowed == batch.overflowed);
        FUZZ_CHECK(batch2.changes == batch.changes);
    }
    FUZZ_CHECK(ChangeFeed::encodePayload(origin2, batch2) == again);
    return 0;
}
