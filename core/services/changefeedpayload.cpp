// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
//
// The change feed's NOTIFY payload (ChangeFeed::encodePayload/decodePayload), apart from the feed's thread and its
// database connection: other desktops on the same portfolio, or any client with access to the database, can send
// one on `csdesk_changes`, so the decoder is fuzzed on its own (tests/fuzz/fuzz_changefeedpayload.cpp) with Qt Core
// only.
#include "changefeed.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Core {

using namespace Qt::StringLiterals;

// {"v":1,"o":"<origin>","m":<topic mask>,"x":true} for an overflowed batch, else
// {"v":1,"o":"<origin>","m":<mask>,"c":[[topic,"customer id",record id,portfolio wide 0|1], ...]}.
QByteArray ChangeFeed::encodePayload(const QString &origin, const ChangeBatch &batch)
{
    QJsonObject json { { u"v"_s, 1 }, { u"o"_s, origin }, { u"m"_s, qint64(batch.topicMask) } };
    const auto overflowed = [origin, mask = batch.topicMask] {
        QJsonObject many { { u"v"_s, 1 }, { u"o"_s, origin }, { u"m"_s, qint64(mask) } };
        many.insert(u"x"_s, true);
        return QJsonDocument(many).toJson(QJsonDocument::Compact);
    };
    if (batch.overflowed)
        return overflowed();
    QJsonArray changes;
    for (const Change &c : batch.changes)
        changes.append(QJsonArray { int(c.topic), c.customerId, c.recordId, c.portfolioWide ? 1 : 0 });
    json.insert(u"c"_s, changes);
    QByteArray payload = QJsonDocument(json).toJson(QJsonDocument::Compact);
    if (payload.size() > kMaxPayloadBytes)
        return overflowed();
    return payload;
}

bool ChangeFeed::decodePayload(const QByteArray &payload, QString *origin, ChangeBatch *batch)
{
    const QJsonObject json = QJsonDocument::fromJson(payload).object();
    if (json.value(u"v"_s).toInt() != 1 || !json.value(u"o"_s).isString())
        return false;
    *origin = json.value(u"o"_s).toString();
    *batch = {};
    batch->topicMask = quint32(json.value(u"m"_s).toInteger()) & kAllTopicsMask;
    if (json.value(u"x"_s).toBool()) {
        batch->overflowed = true;
        return true;
    }
    const QJsonArray changes = json.value(u"c"_s).toArray();
    for (const QJsonValue &value : changes) {
        const QJsonArray c = value.toArray();
        const int topic = c.at(0).toInt(-1);
        if (c.size() != 4 || topic < 0 || topic >= int(ChangeTopic::TopicCount))
            return false;
        batch->changes.append(
            Change { ChangeTopic(topic), c.at(1).toString(), c.at(2).toInteger(), c.at(3).toInt() != 0 });
        batch->topicMask |= topicBit(ChangeTopic(topic));
    }
    return true;
}

} // namespace Core
