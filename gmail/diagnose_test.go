package gmail

import (
	"errors"
	"fmt"
	"net/textproto"
	"strings"
	"testing"
)

// TestDiagnoseMultiLine: Gmail's real replies span two lines, each with
// the enhanced code; textproto joins them with "\n".
func TestDiagnoseMultiLine(t *testing.T) {
	err := fmt.Errorf("SMTP AUTH failed: %w", &textproto.Error{Code: 535,
		Msg: "5.7.8 Username and Password not accepted. For more information, go to\n5.7.8  https://support.google.com/mail/?p=BadCredentials d9443c01a7336-2"})
	d := Diagnose(err, StageAuth, 587)
	if d.Code != CodeBadCredentials || d.ReplyCode != 535 || d.EnhancedCode != "5.7.8" {
		t.Fatalf("%+v", d)
	}
	if d.Reply != "Username and Password not accepted. For more information, go to https://support.google.com/mail/?p=BadCredentials d9443c01a7336-2" {
		t.Errorf("reply %q", d.Reply)
	}
	if !strings.Contains(d.Detail, "SMTP AUTH failed") {
		t.Errorf("detail %q", d.Detail)
	}
	var tp *textproto.Error
	if !errors.As(d, &tp) {
		t.Errorf("the diagnosis does not unwrap to the server's reply")
	}
}
