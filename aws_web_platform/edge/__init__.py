"""The edge: Route 53 records, ACM, ALB, CloudFront and WAF."""
