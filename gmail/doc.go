// Package gmail is everything mfpfleet does with Gmail itself, before and
// after touching a printer:
//
//   - app-password input (ReadAppPassword: --password-stdin,
//     --password-file, MFPFLEET_APP_PASSWORD, or a no-echo prompt; never a
//     flag value) and normalisation (NormalizeAppPassword: 16 letters a–z,
//     Google's spaces removed), held in the self-redacting AppPassword;
//   - the labels suggested for Google's app-password list (SuggestLabel,
//     SiteLabel) and the plus-addresses that tag each device's test
//     message (NewToken, PlusAddress);
//   - the preflight (Check, CheckBoth): SMTP AUTH against smtp.gmail.com
//     on 587 (STARTTLS, mandatory) or 465 (implicit TLS) with go-mail,
//     every failure turned into a Diagnosis with a stable Code, Gmail's
//     reply codes, a cause and a next step (DiagnoseReply does the same
//     for a reply a printer reports);
//   - mailbox confirmation over IMAP (Confirm for one message, Watcher for
//     many over one connection): the test message sent to the
//     plus-address really arrived.
//
// It is a package of its own because both the CLI (gmail check,
// credentials add) and the rollout (confirm) use it, and because it is
// the only code that talks to Google. A local stand-in for Gmail, for
// tests and the simulator, is in gmail/standin.
package gmail
