signet $T verify PRVS=1786DAD2CD=Alice@isp.example
