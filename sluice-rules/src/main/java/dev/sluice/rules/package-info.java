/**
 * Rules as code: {@link dev.sluice.rules.RuleSet} loads and type-checks YAML rules (CEL conditions
 * and dedupe keys, Mustache templates); {@link dev.sluice.rules.RulesEngine} evaluates them on
 * inbound events, logs every {@link dev.sluice.rules.Decision}, and runs the {@code slack.post} and
 * {@code http.request} action jobs. See docs/rules.md.
 */
package dev.sluice.rules;
