package dev.sluice.sandbox.smtp;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One message as the SMTP sandbox's mail store holds it: one copy per recipient mailbox (an
 * envelope recipient, so a Bcc recipient has its copy too), as a real server delivers it.
 *
 * @param mailbox the envelope recipient whose mailbox holds this copy
 * @param returnPath the envelope sender ({@code MAIL FROM}), as the server's {@code Return-Path}
 * @param messageId the {@code Message-ID} header, or null
 * @param text the {@code text/plain} body (of a multipart: its first text part), or null
 * @param html the {@code text/html} body, or null
 * @param headers every header, name → values, in order
 * @param receivedAt when the server stored it (its own clock)
 */
public record StoredMail(String mailbox, String returnPath, String messageId, String from, List<String> to, List<String> cc,
                         String subject, String text, String html, Map<String, List<String>> headers, Instant receivedAt) {}
