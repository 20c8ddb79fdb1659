package dev.sluice.leads;

/**
 * The answer to an accepted submission, given only after it committed.
 *
 * @param leadId the lead's id (the same for every repeat of one source and email)
 * @param duplicate true when the submission merged into an existing lead
 */
public record LeadReceipt(long leadId, boolean duplicate) {}
