module searchdesk

go 1.26.8
