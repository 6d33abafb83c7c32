// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "toolregistry.h"

namespace Mcp {

// Every toolset, in the order tools/list shows them. Returns what the registry refused (by tool name and reason),
// so a broken declaration stops the server at start instead of silently missing from the list.
QStringList registerAllTools(ToolRegistry &registry)
{
    using RegisterFn = void (*)(ToolRegistry &);
    static constexpr RegisterFn toolsets[] = {
        &registerCoreTools,
        &registerOnboardingTools,
        &registerHealthTools,
        &registerRetentionTools,
        &registerCommunicationTools,
        &registerSupportTools,
        &registerExpansionTools,
        &registerFeedbackTools,
        &registerMonitorTools,
        &registerSearchTools,
    };
    for (RegisterFn fn : toolsets)
        fn(registry);
    return registry.registrationErrors();
}

} // namespace Mcp
