/**
 * Library runners behind the CLI: policy unit tests ({@link dev.tollgate.engine.runner.PolicyTests}),
 * scenarios run against any {@link dev.tollgate.api.Gate} ({@link
 * dev.tollgate.engine.runner.Scenarios}), and trace replay ({@link
 * dev.tollgate.engine.runner.Replayer}). The CLI only parses flags and prints what these return.
 */
package dev.tollgate.engine.runner;
