package browsertest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestBrowserFillsAndSubmitsAForm(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		if r.Method == http.MethodPost {
			_ = r.ParseForm()
			_, _ = io.WriteString(w, `<title>posted</title><p id="got">`+r.PostForm.Get("name")+`</p>`)
			return
		}
		_, _ = io.WriteString(w, `<title>form</title><form method="post"><input id="name" name="name"><button id="go">Go</button></form>`)
	}))
	defer srv.Close()

	ctx := New(t, time.Minute)
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL),
		chromedp.SendKeys(chromedp.ID("name"), "müller"),
		chromedp.Click(chromedp.ID("go")),
		chromedp.WaitVisible(chromedp.ID("got")),
	)
	if err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("got")))
	if err != nil {
		t.Fatal(err)
	}
	if got != "müller" {
		t.Errorf("the server received %q", got)
	}
}
