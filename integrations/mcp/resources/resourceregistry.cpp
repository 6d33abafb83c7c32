// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "resourceregistry.h"

using namespace Qt::StringLiterals;

namespace Mcp {

Core::Status ResourceRegistry::add(ResourceFamily family)
{
    if (family.name.isEmpty())
        return Core::Error::invalid(u"name"_s, u"a resource family needs a name"_s);
    if (family.uri.isEmpty() == family.uriTemplate.isEmpty())
        return Core::Error::invalid(u"uri"_s, u"resource \""_s + family.name + u"\": give either uri or uriTemplate"_s);
    if (!family.read)
        return Core::Error::invalid(u"read"_s, u"resource \""_s + family.name + u"\": no read function"_s);
    if (!family.matches && !family.uri.isEmpty()) {
        const QString uri = family.uri;
        family.matches = [uri](const QString &candidate) { return candidate == uri; };
    }
    if (!family.matches)
        return Core::Error::invalid(u"matches"_s, u"resource \""_s + family.name + u"\": no matches function"_s);
    for (const ResourceFamily &existing : std::as_const(m_families)) {
        if (existing.name == family.name)
            return Core::Error::invalid(u"name"_s, u"resource \""_s + family.name + u"\" registered twice"_s);
    }
    m_families.append(std::move(family));
    return {};
}

const ResourceFamily *ResourceRegistry::familyFor(const QString &uri) const
{
    for (const ResourceFamily &family : m_families) {
        if (family.matches(uri))
            return &family;
    }
    return nullptr;
}

const ResourceFamily *ResourceRegistry::familyForTemplate(const QString &uriTemplate) const
{
    for (const ResourceFamily &family : m_families) {
        if (!family.uriTemplate.isEmpty() && family.uriTemplate == uriTemplate)
            return &family;
    }
    return nullptr;
}

} // namespace Mcp
