module github.com/gnnscale/gnnscale

go 1.26.8
