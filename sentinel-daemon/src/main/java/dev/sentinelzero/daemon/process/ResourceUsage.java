package dev.sentinelzero.daemon.process;

/**
 * Resource use of one process group at one sample.
 *
 * @param cpuPercent CPU time used since the group's previous sample, in percent of one core (a
 *     busy loop reads about 100); null on a group's first sample
 * @param residentBytes resident memory summed over the group's live members
 * @param processes how many live members the group has
 */
public record ResourceUsage(Double cpuPercent, long residentBytes, int processes) {}
