// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

namespace Mcp {

class ToolRegistry;
class ResourceRegistry;
class PromptRegistry;

// The tools, resources and prompts the official conformance suite (@modelcontextprotocol/conformance) calls by
// name: test_simple_text, test://static-text, test_prompt_with_arguments, ... Registered only by
// `csdesk --headless --conformance-fixtures` (off by default, never in the desktop), so the suite can check our
// protocol handling; none of them touches the portfolio. Toolset "conformance".
//
// Not registered, because CS Desk never sends requests to the client: test_sampling (sampling/createMessage),
// test_elicitation and the elicitation SEP-1034/SEP-1330 tools (elicitation/create), and test_reconnection
// (SEP-1699 stream resumption). tests/mcp/conformance-baseline.yml lists those scenarios with this reason.
void registerConformanceFixtures(ToolRegistry &tools, ResourceRegistry &resources, PromptRegistry &prompts);

} // namespace Mcp
