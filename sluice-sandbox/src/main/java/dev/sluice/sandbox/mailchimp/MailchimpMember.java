package dev.sluice.sandbox.mailchimp;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An immutable snapshot of one list member.
 *
 * @param listId the list
 * @param id the subscriber hash: md5 of the lower-case email
 * @param emailAddress the email as last written (case kept)
 * @param uniqueEmailId a short stable id of the member ({@code data[id]} in webhooks)
 * @param webId the numeric id of the member in the web app
 * @param emailType html or text
 * @param status subscribed, unsubscribed, cleaned, pending or transactional
 * @param mergeFields merge tag → value (strings, or maps for ADDRESS)
 * @param timestampSignup when it was added
 * @param lastChanged when it last changed
 */
public record MailchimpMember(String listId, String id, String emailAddress, String uniqueEmailId, long webId,
                              String emailType, String status, Map<String, Object> mergeFields,
                              Instant timestampSignup, Instant lastChanged) {
  public MailchimpMember {
    mergeFields = Collections.unmodifiableMap(new LinkedHashMap<>(mergeFields));
  }
}
