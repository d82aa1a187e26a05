package dev.tollgate.benchmarks.load;

/**
 * The two actions of the decide mix, each with about 1 KB of arguments, as an agent would send
 * them: a ledger search the example bundle allows, and a mail to an outside address that names an
 * invoice, which it asks a human about.
 */
final class Actions {
  private Actions() {}

  static final String SEARCH =
      """
      {"tool":"invoices.search","args":{"query":"overdue invoices for Globex Corporation \
      with a balance over 10000 that were disputed or partially paid in the last quarter",\
      "vendor":"globex","status":["overdue","open","disputed","partially_paid"],\
      "from":"2026-07-01","to":"2026-09-30","currency":"EUR","min_amount":10000,\
      "sort":[{"field":"due_date","order":"asc"},{"field":"amount","order":"desc"}],\
      "fields":["number","vendor","amount","currency","due_date","status","po_number",\
      "cost_center","approver","payment_terms","last_reminder","notes"],"limit":50,"offset":0,\
      "context":"Quarter-end review of the accounts payable backlog requested by the controller. \
      Only invoices from the Globex master agreement are in scope; credit notes and pro forma \
      invoices are excluded. Results go into the reconciliation worksheet and are not shared \
      outside the finance team. The reviewer wants the oldest items first so that reminders \
      can be sent before the end of the month, and the largest amounts flagged for the weekly \
      cash meeting. Include items that were put on hold by procurement."}}""";

  static final String SEND =
      """
      {"tool":"email.send","args":{"to":["ap@globex.example"],"cc":["billing@globex.example"],\
      "subject":"Overdue invoice 4471","body":"Hello, Invoice 4471 is overdue. Our records show \
      that it was issued on 12 August under the master agreement and that the payment terms of \
      thirty days have passed without a remittance reaching us. We would be grateful if you \
      could confirm whether the invoice was received and approved on your side, and if so, \
      the date on which we can expect the transfer. If there is a dispute about any line item \
      or a purchase order reference that does not match, please let us know which one and we \
      will send a corrected copy the same day. We value the long relationship between our \
      companies and would like to settle this before the quarter closes, so that neither side \
      has to carry the item into the next period. Thank you in advance for your help. Kind \
      regards, Accounts Payable","priority":"normal","reply_to":"ap@acme.example"}}""";
}
