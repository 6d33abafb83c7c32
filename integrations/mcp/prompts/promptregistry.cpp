// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "promptregistry.h"

using namespace Qt::StringLiterals;

namespace Mcp {

Core::Status PromptRegistry::add(Prompt prompt)
{
    if (prompt.name.isEmpty() || !prompt.render)
        return Core::Error::invalid(u"name"_s, u"a prompt needs a name and a render function"_s);
    if (find(prompt.name))
        return Core::Error::invalid(u"name"_s, u"prompt \""_s + prompt.name + u"\" registered twice"_s);
    m_prompts.append(std::move(prompt));
    return {};
}

const Prompt *PromptRegistry::find(const QString &name) const
{
    for (const Prompt &prompt : m_prompts) {
        if (prompt.name == name)
            return &prompt;
    }
    return nullptr;
}

} // namespace Mcp
