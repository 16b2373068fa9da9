signet $T verify alice=sg1mzvm7spa6eox4s3yk2oygcnv5u@isp.example
