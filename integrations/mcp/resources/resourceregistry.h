// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <functional>

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include "error.h"

namespace Core {
class Services;
}

namespace Mcp {

// One item of a resources/read answer (MCP "Resources" §Resource Contents): text, or a binary blob (base64 on
// the wire).
struct ResourceContent
{
    QString uri;
    QString mimeType;
    QString text;
    QByteArray blob;
    bool binary = false;
};

// A concrete resource as resources/list shows it.
struct ResourceInfo
{
    QString uri;
    QString name;
    QString title;
    QString description;
    QString mimeType;
};

// A page of concrete resources (resources/list is paginated: a family may have 100,000 customers).
struct ResourcePage
{
    QList<ResourceInfo> items;
    QString nextCursor; // empty: last page
};

// A family of resources: either one fixed URI (`portfolio://summary`) or an RFC 6570 level-1 template
// (`customer://{id}`). The protocol layer walks the families in registration order.
struct ResourceFamily
{
    QString name;
    QString title;
    QString description;
    QString mimeType;
    QString uri; // a fixed resource, or
    QString uriTemplate; // a template whose single variable is completed by `complete`

    // True when `uri` belongs to this family (for a fixed one: equality).
    std::function<bool(const QString &uri)> matches;
    // The contents of `uri`; NotFound when the family matches the shape but the record does not exist (the
    // protocol answers -32002 "Resource not found").
    std::function<Core::Result<QList<ResourceContent>>(Core::Services &services, const QString &uri)> read;
    // Optional: concrete members for resources/list, `limit` at a time after `cursor` (an opaque string this
    // family made; an invalid one → InvalidArgument, which the protocol answers with -32602).
    std::function<Core::Result<ResourcePage>(Core::Services &services, const QString &cursor, int limit)> list;
    // Optional: completion/complete for the template variable `argument` ("id"): up to 100 values starting with
    // (or containing) `prefix`, best first.
    std::function<QStringList(Core::Services &services, const QString &argument, const QString &prefix)> complete;
};

class ResourceRegistry
{
public:
    Core::Status add(ResourceFamily family);
    const QList<ResourceFamily> &families() const { return m_families; }
    // The family that serves `uri`, or nullptr.
    const ResourceFamily *familyFor(const QString &uri) const;
    // The template family named by a completion/complete `ref/resource` uri (the template string itself).
    const ResourceFamily *familyForTemplate(const QString &uriTemplate) const;

private:
    QList<ResourceFamily> m_families;
};

// customer://{id}, portfolio://summary, config://scoring (integrations/mcp/resources/csresources.cpp).
void registerCsResources(ResourceRegistry &registry);

} // namespace Mcp
